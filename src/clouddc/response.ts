import type { PollFailure, PollResult } from '../domain/poll.js';
import { parseErrorBody, sanitise } from './error-body.js';
import { parseRetryAfter } from './retry.js';
import { MAX_BODY_BYTES, type AttemptOutcome } from './transport.js';
import { parseStatusText } from './wire.js';

/** One attempt's result as the retry loop needs it. */
export type Attempt =
  | { readonly ok: true; readonly result: PollResult }
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
  const requestId = headerText(res.headers['x-request-id']);
  // Redact before parsing: messages quote truncated values, and a cut-off secret would no longer match.
  const text = res.text === undefined ? undefined : redact(res.text);
  if (res.status >= 200 && res.status < 300) {
    const mapped =
      text === undefined
        ? { ok: false as const, message: `body larger than ${MAX_BODY_BYTES} bytes` }
        : parseStatusText(text);
    if (mapped.ok) {
      const result: PollResult =
        requestId === undefined
          ? { ok: true, observation: mapped.observation, attempts }
          : { ok: true, observation: mapped.observation, attempts, requestId };
      return { ok: true, result };
    }
    const message = redact(`invalid response (HTTP ${res.status}): ${mapped.message}`);
    const failure: PollFailure = { ok: false, reason: 'invalid_response', message, attempts, ...withId(requestId) };
    return { ok: false, fromHttp: true, failure };
  }
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

function headerText(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const clean = sanitise(first, 128);
  return clean === '' ? undefined : clean;
}

const REDACTED = '<redacted>';
const noRedaction = (text: string): string => text;

/**
 * Replaces every occurrence of the given secret values with "<redacted>". Values shorter than 4 characters are
 * left alone (they would match everywhere); a text that contains none of the secrets costs one indexOf per secret.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = secrets.filter((s) => s.length >= 4);
  if (needles.length === 0) return noRedaction;
  return (text) => {
    let out = text;
    for (const s of needles) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out;
  };
}
