import type { ExportStatus, Observation } from '../domain/export.js';
import { sanitise } from './error-body.js';

export { parseErrorBody, type ErrorBody } from './error-body.js';

export type WireResult =
  | { readonly ok: true; readonly observation: Observation }
  | { readonly ok: false; readonly message: string };

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

  return { ok: true, observation: { status: normaliseStatus(rawStatus), rawStatus, percentage, createdAt } };
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
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return STATUS_ALIASES[key] ?? 'unknown';
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

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * ISO 8601 date-time with a mandatory zone, to Unix seconds. Date.parse alone is not used because it
 * accepts "2", "foo 12" and zone-less local times, which would silently shift timestamps.
 */
export function parseIsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;

  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;

  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const offH = Number(m[10]);
    const offM = Number(m[11]);
    if (offH > 23 || offM > 59) return undefined;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
  }
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  return date.getTime() / 1000 + fraction - offsetSeconds;
}

function invalid(message: string): WireResult {
  return { ok: false, message };
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
