import type { Readable } from 'node:stream';
import type { Observation } from '../domain/export.js';
import type { PollFailure } from '../domain/poll.js';
import { sanitise } from './error-body.js';
import { interpretResponse } from './response.js';

/** The pieces of log-api.ts that need no connection: the retry rule for starts and reading answers. */

export type StartResult =
  | { readonly ok: true; readonly exportId: string; readonly observation: Observation; readonly requestId?: string; readonly attempts: number }
  /** `maybeStarted`: the request may have reached the backend, so an export may exist that nobody knows the id of. */
  | { readonly ok: false; readonly failure: PollFailure; readonly maybeStarted: boolean };

/** Errors raised while connecting: the request line was never written, so nothing can have been started. */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function errorCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Whether a failed start may be sent again without risking a second export: a connection that never opened
 * (refused, DNS, connect timeout; each start uses a fresh connection, so no stale keep-alive socket blurs this), and
 * a 429, which the gateway or CloudDC answers instead of processing the request. A 401 the credentials can be
 * renewed for is retried once by the caller, for the same reason: the gateway refused it before the backend saw it.
 * Everything else (5xx, timeouts and resets after the request was sent, a proxy's 502/504) is final.
 */
export function safeToRetryStart(failure: { reason: string; code?: string }): boolean {
  if (failure.reason === '429') return true;
  return failure.reason !== 'timeout' && failure.code !== undefined && NOT_SENT_CODES.has(failure.code);
}

export function parseStart(text: string, status: number, attempts: number, requestIdHeader: unknown): StartResult | { ok: false; failure: PollFailure } {
  const requestId = typeof requestIdHeader === 'string' ? requestIdHeader : undefined;
  // The 202 claims application/octet-stream in the docs; the body is the JSON status document all the same.
  const attempt = interpretResponse(
    { kind: 'response', status, headers: { 'content-type': 'application/json' }, text, durationSeconds: 0 },
    attempts,
    (s) => s,
    Date.now(),
  );
  let exportId: unknown;
  try {
    exportId = (JSON.parse(text) as { export_id?: unknown }).export_id;
  } catch {
    exportId = undefined;
  }
  if (typeof exportId === 'number') exportId = String(exportId);
  if (!attempt.ok || !attempt.result.ok || typeof exportId !== 'string' || exportId === '') {
    const detail = attempt.ok ? 'no export_id' : attempt.failure.message;
    const message = `HTTP ${status} but the answer cannot be read (${sanitise(detail, 200)}); an export may have been started`;
    return { ok: false, failure: { ok: false, reason: 'invalid_response', message, attempts, ...(requestId && { requestId }) } };
  }
  return { ok: true, exportId, observation: attempt.result.observation, attempts, ...(requestId && { requestId }) };
}

export async function readCapped(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer;
      if (total + b.length > limit) {
        chunks.push(b.subarray(0, limit - total));
        body.destroy();
        break;
      }
      chunks.push(b);
      total += b.length;
    }
  } catch {
    // A body cut short still says what it said so far.
  }
  return Buffer.concat(chunks).toString('utf8');
}
