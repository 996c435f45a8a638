import type { PollFailure, PollResult } from '../domain/poll.js';
import { parseErrorBody, sanitise } from './error-body.js';
import { parseRetryAfter } from './retry.js';
import { MAX_BODY_BYTES, type AttemptOutcome } from './transport.js';
import { parseStatusText } from './wire.js';

/** One attempt's result as the retry loop needs it. */
export type Attempt<R = PollResult> =
  | { readonly ok: true; readonly result: R }
  | {
      readonly ok: false;
      readonly failure: PollFailure;
      readonly retryAfterMs?: number;
      /** False without an HTTP answer (transport or local auth failure); only an HTTP 401 renews credentials. */
      readonly fromHttp: boolean;
    };

/** Turns one HTTP answer into a result; 2xx bodies go through the wire mapping, others become failures. */
export function interpretResponse(
  res: Extract<AttemptOutcome, { kind: 'response' }>,
  attempts: number,
  redact: (text: string) => string,
  nowMs: number,
): Attempt {
  // A request id is kept and shown; an upstream that echoes the request into it must not make it a leak.
  const requestId = headerText(res.headers['x-request-id'], redact);
  // Redact before parsing: messages quote truncated values, and a cut-off secret would no longer match.
  const text = res.text === undefined ? undefined : redact(res.text);
  if (res.status >= 200 && res.status < 300) {
    const mapped = text === undefined ? { ok: false as const, problems: [`body larger than ${MAX_BODY_BYTES} bytes`] } : parseStatusText(text);
    if (mapped.ok) {
      const result: PollResult =
        requestId === undefined ? { ok: true, observation: mapped.value, attempts } : { ok: true, observation: mapped.value, attempts, requestId };
      return { ok: true, result };
    }
    const message = redact(`invalid response (HTTP ${res.status}): ${mapped.problems.join('\n')}`);
    const failure: PollFailure = { ok: false, reason: 'invalid_response', message, attempts, ...withId(requestId) };
    return { ok: false, fromHttp: true, failure };
  }
  return errorAttempt(res, text, attempts, redact, nowMs, requestId);
}

/** A parsed 2xx body, or why it could not be read. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A successful call other than ShowLogsExportStatus (the fleet calls): the parsed body. */
export interface Fetched<T> {
  readonly ok: true;
  readonly value: T;
  readonly attempts: number;
  readonly requestId?: string;
}

/** interpretResponse for any JSON answer: 2xx bodies through `parse`, everything else the same failures. */
export function interpretJson<T>(
  res: Extract<AttemptOutcome, { kind: 'response' }>,
  attempts: number,
  redact: (text: string) => string,
  nowMs: number,
  parse: (text: string) => Parsed<T>,
): Attempt<Fetched<T>> {
  const requestId = headerText(res.headers['x-request-id'], redact);
  const text = res.text === undefined ? undefined : redact(res.text);
  if (res.status >= 200 && res.status < 300) {
    const mapped: Parsed<T> = text === undefined ? { ok: false, message: 'body larger than the exporter reads' } : parse(text);
    if (mapped.ok) return { ok: true, result: { ok: true, value: mapped.value, attempts, ...withId(requestId) } };
    const message = redact(`invalid response (HTTP ${res.status}): ${mapped.message}`);
    return { ok: false, fromHttp: true, failure: { ok: false, reason: 'invalid_response', message, attempts, ...withId(requestId) } };
  }
  return errorAttempt(res, text, attempts, redact, nowMs, requestId);
}

function errorAttempt(
  res: Extract<AttemptOutcome, { kind: 'response' }>,
  text: string | undefined,
  attempts: number,
  redact: (text: string) => string,
  nowMs: number,
  requestId: string | undefined,
): Extract<Attempt<never>, { ok: false }> {
  const body = text === undefined ? {} : parseErrorBody(text, headerText(res.headers['content-type']));
  const summary = [`HTTP ${res.status}`, body.errorCode].filter(Boolean).join(' ');
  const message = redact(body.message === undefined ? summary : `${summary}: ${body.message}`);
  const failure: PollFailure = {
    ok: false,
    reason: String(res.status),
    message,
    attempts,
    ...withId(requestId),
    ...(body.errorCode === undefined ? {} : { errorCode: redact(body.errorCode) }),
  };
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], nowMs);
  return { ok: false, fromHttp: true, failure, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

function withId(requestId: string | undefined): { requestId?: string } {
  return requestId === undefined ? {} : { requestId };
}

/** Redacted before it is cut to length: a cut-off secret would no longer match. */
function headerText(value: string | string[] | undefined, redact: (text: string) => string = noRedaction): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const clean = sanitise(redact(first), 128);
  return clean === '' ? undefined : clean;
}

const REDACTED = '<redacted>';
const noRedaction = (text: string): string => text;

/**
 * The parts of base64 text that encode `bytes` wherever they sit in a longer encoded text: one per alignment
 * (offset mod 3), without the characters at either end that mix in neighbouring bytes. An upstream that
 * base64-encodes a whole request (headers, a JSON body) thus still has the secret cut out of it.
 */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= 4) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** Every form in which an upstream could plausibly echo a value: as is, base64 (std, URL-safe), percent, JSON. */
export function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const forms = [
    secret,
    ...base64Cores(Buffer.from(secret, 'utf8')),
    // The secret as a JSON body or a query string carried it, then base64-encoded by the echoing side.
    ...base64Cores(Buffer.from(json, 'utf8')),
    ...base64Cores(Buffer.from(percent, 'utf8')),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    // Form encoding writes spaces as "+".
    percent.replace(/%20/g, '+'),
    json,
    json.replace(/\//g, '\\/'),
    // JSON encoders that escape every non-ASCII character.
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ];
  return [...new Set(forms)];
}

/**
 * Replaces every occurrence of the given secret values, in any of their encodedForms, with "<redacted>". Values
 * shorter than 4 characters are left alone (they would match everywhere); longer forms go first, so that a
 * form containing another is cut whole. A text that contains none costs one indexOf per form.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.filter((s) => s.length >= 4).flatMap(encodedForms))].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return noRedaction;
  return (text) => {
    let out = text;
    for (const s of needles) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out;
  };
}
