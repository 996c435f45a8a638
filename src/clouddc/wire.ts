import type { ExportStatus, Observation } from '../domain/export.js';
import { sanitise } from './error-body.js';
import type { Result } from '../domain/result.js';

export { parseErrorBody, type ErrorBody } from './error-body.js';

export type WireResult = Result<Observation>;

const QUOTE_LIMIT = 64;

/** Maps the JSON text of a 2xx ShowLogsExportStatus answer to an Observation. */
export function parseStatusText(text: string): WireResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return invalid(`body is not JSON: ${quote(text)}`);
  }
  return mapStatusBody(body);
}

/**
 * Lenient only where CloudDC's own documents disagree (percentage type, status spelling, created_at
 * offset style); every other deviation is an invalid response, so schema drift is noticed, not guessed at.
 */
export function mapStatusBody(body: unknown): WireResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid(`body is not a JSON object: ${describe(body)}`);
  }
  const fields = body as Record<string, unknown>;

  const exportId = fields['export_id'];
  // null is accepted as "absent": Java backends often serialise unset optional fields that way.
  const absent = exportId === undefined || exportId === null;
  if (!absent && typeof exportId !== 'string' && typeof exportId !== 'number') {
    return invalid(`export_id: expected a string or number, got ${describe(exportId)}`);
  }

  const rawStatus = fields['status'];
  if (typeof rawStatus !== 'string' || rawStatus.trim() === '') {
    return invalid(`status: expected a non-empty string, got ${describe(rawStatus)}`);
  }

  const percentage = parsePercentage(fields['percentage']);
  if (percentage === undefined) {
    return invalid(`percentage: expected a number or "N%" string, got ${describe(fields['percentage'])}`);
  }

  const createdAt = parseIsoTimestamp(fields['created_at']);
  if (createdAt === undefined) {
    const got = describe(fields['created_at']);
    return invalid(`created_at: expected an ISO 8601 date-time with offset, got ${got}`);
  }

  return { ok: true, value: { status: normaliseStatus(rawStatus), rawStatus, percentage, createdAt } };
}

const STATUS_ALIASES: Readonly<Record<string, ExportStatus>> = {
  processing: 'processing',
  running: 'processing',
  in_progress: 'processing',
  completed: 'completed',
  complete: 'completed',
  succeeded: 'completed',
  success: 'completed',
  finished: 'completed',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
};

/** The docs list processing|completed yet their example says "Running"; unlisted spellings become "unknown". */
export function normaliseStatus(raw: string): ExportStatus {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(STATUS_ALIASES, key) ? STATUS_ALIASES[key]! : 'unknown';
}

const PERCENT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The CN doc types percentage as "30%", the EN doc as an integer; both occur in SDKs, so take either. */
export function parsePercentage(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string') {
    const text = value.trim().replace(/\s*%$/, '');
    if (!PERCENT_TEXT.test(text)) return undefined;
    n = Number(text);
  } else {
    return undefined;
  }
  if (!Number.isFinite(n)) return undefined;
  return Math.min(100, Math.max(0, n));
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * ISO 8601 date-time with a mandatory zone, to Unix seconds. Date.parse alone is not used because it
 * accepts "2", "foo 12" and zone-less local times, which would silently shift timestamps.
 */
export function parseIsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;

  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const offH = Number(m[10]);
    const offM = Number(m[11]);
    if (offH > 23 || offM > 59) return undefined;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
  }
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds + fraction - offsetSeconds;
}

/** Proleptic Gregorian, as Date uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): plain arithmetic, where a Date
 * object per timestamp was a visible share of a poll's CPU. Date.UTC would be shorter but maps years 0–99 to 19xx.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function invalid(message: string): WireResult {
  return { ok: false, problems: [message] };
}

function quote(text: string): string {
  return JSON.stringify(sanitise(text, QUOTE_LIMIT));
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
