import { setTimeout as delay } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { Client, request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { AccountSettings, PollSettings } from '../domain/config.js';
import type { ExportKey, Observation } from '../domain/export.js';
import type { PollFailure } from '../domain/poll.js';
import { AuthenticationError, type Authenticator } from './auth/token.js';
import { sanitise } from './error-body.js';
import { createRateLimiter, type Permit } from './rate-limiter.js';
import { interpretResponse, redactor } from './response.js';
import { backoffDelayMs, isRetryableReason, parseRetryAfter } from './retry.js';
import { encodePathSegment } from './url.js';

/**
 * ExportServerLogs and DownloadServerLogs for the `export` subcommands: the same auth, rate limit and retry settings
 * as the poller, but a different retry rule for the POST. Starting an export is not idempotent and the API offers no
 * way to find an export by anything but its id, so a start is retried only when the request provably did not reach
 * CloudDC's backend (see `safeToRetryStart`).
 */

export interface LogApiOptions {
  readonly account: AccountSettings;
  readonly poll: PollSettings;
  readonly authenticator: Authenticator;
  readonly userAgent: string;
  readonly logger: Logger;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

export type StartResult =
  | { readonly ok: true; readonly exportId: string; readonly observation: Observation; readonly requestId?: string; readonly attempts: number }
  /** `maybeStarted`: the request may have reached the backend, so an export may exist that nobody knows the id of. */
  | { readonly ok: false; readonly failure: PollFailure; readonly maybeStarted: boolean };

/** A 2xx answer whose body the caller consumes; `release` must be called in every case. */
export interface BodyResponse {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

export interface LogApi {
  start(serverId: string, signal?: AbortSignal): Promise<StartResult>;
  /** Opens the bundle's stream: a 2xx response, or the failure after retries. */
  openBundle(key: ExportKey, signal?: AbortSignal): Promise<{ ok: true; response: BodyResponse } | { ok: false; failure: PollFailure }>;
  /** One more permit and backoff for a download that broke mid-stream; false when retries are used up. */
  mayRetryDownload(attempt: number, failure: PollFailure, signal?: AbortSignal): Promise<boolean>;
}

/** Errors raised while connecting: the request line was never written, so nothing can have been started. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

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

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

export function createLogApi(opts: LogApiOptions): LogApi {
  const { account, poll, authenticator, logger } = opts;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const base = new URL(account.endpoint);
  const prefix = `${base.pathname.replace(/\/+$/, '')}/v1/${encodePathSegment(account.projectId)}/physicalservers`;
  const limiter = createRateLimiter({ ...account.rateLimit, maxPauseMs: poll.backoffMaxMs, now: () => performance.now(), sleep });

  async function authorize(method: string, path: string, headers: Record<string, string>): Promise<Record<string, string>> {
    const added = await authenticator.authorize({ method, url: new URL(path, base.origin), headers });
    return { ...headers, ...added };
  }

  type Sent =
    | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; body: Readable; permit: Permit; redact: (s: string) => string }
    | { kind: 'failure'; failure: PollFailure; code?: string; fromHttp: false };

  async function send(method: 'GET' | 'POST', path: string, attempts: number, dispatcher: Dispatcher, signal?: AbortSignal): Promise<Sent> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': opts.userAgent };
    if (method === 'POST') headers['content-type'] = 'application/json';
    let all: Record<string, string>;
    try {
      all = await authorize(method, path, headers);
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : '401';
      const message = `authentication failed: ${err instanceof Error ? sanitise(err.message, 200) : 'unknown error'}`;
      return { kind: 'failure', failure: { ok: false, reason, message, attempts }, fromHttp: false };
    }
    const redact = redactor(Object.entries(all).filter(([k]) => !(k in headers)).map(([, v]) => v));
    const permit = await limiter.acquire(signal);
    if (permit === undefined) return { kind: 'failure', failure: { ok: false, reason: 'timeout', message: 'interrupted', attempts }, fromHttp: false };
    try {
      const res = await request(new URL(path, base.origin), {
        dispatcher,
        method,
        headers: all,
        ...(method === 'POST' && { body: '' }),
        ...(signal && { signal }),
        headersTimeout: poll.timeoutMs,
        bodyTimeout: poll.timeoutMs,
      });
      return { kind: 'response', status: res.statusCode, headers: res.headers, body: res.body, permit, redact };
    } catch (err) {
      const code = errorCodeOf(err);
      const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
      const detail = redact([code, err instanceof Error ? sanitise(err.message, 160) : ''].filter(Boolean).join(': '));
      const aborted = signal?.aborted === true;
      const message = aborted ? 'interrupted' : `${timeout ? 'timeout' : 'network error'}: ${detail}`;
      const failure: PollFailure = { ok: false, reason: timeout || aborted ? 'timeout' : 'network', message, attempts };
      return code === undefined ? { kind: 'failure', failure, fromHttp: false } : { kind: 'failure', failure, code, fromHttp: false };
    }
  }

  /** An error answer as a PollFailure, with the same parsing and redaction as the poller's. */
  async function failureOf(sent: Extract<Sent, { kind: 'response' }>, attempts: number): Promise<{ failure: PollFailure; retryAfterMs?: number }> {
    const text = await readCapped(sent.body, 64 * 1024);
    const attempt = interpretResponse({ kind: 'response', status: sent.status, headers: sent.headers, text, durationSeconds: 0 }, attempts, sent.redact, Date.now());
    const retryAfterMs = parseRetryAfter(sent.headers['retry-after'], Date.now());
    sent.permit.settle(sent.status, retryAfterMs);
    if (attempt.ok) return { failure: { ok: false, reason: 'invalid_response', message: 'unexpected answer', attempts } };
    return retryAfterMs === undefined ? { failure: attempt.failure } : { failure: attempt.failure, retryAfterMs };
  }

  async function backoff(retriesUsed: number, retryAfterMs: number | undefined, signal?: AbortSignal): Promise<boolean> {
    const waitMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, poll.backoffMaxMs) : backoffDelayMs(retriesUsed, poll.backoffInitialMs, poll.backoffMaxMs, random);
    try {
      await sleep(waitMs, signal);
      return signal?.aborted !== true;
    } catch {
      return false;
    }
  }

  return {
    async start(serverId, signal) {
      const path = `${prefix}/${encodePathSegment(serverId)}/logs/exports`;
      let retriesUsed = 0;
      let renewed = false;
      for (let attempts = 1; ; attempts++) {
        // A fresh connection per attempt: an error while connecting then proves that nothing was sent.
        const client = new Client(base.origin, { connect: { timeout: poll.timeoutMs } });
        try {
          const sent = await send('POST', path, attempts, client, signal);
          let failure: PollFailure;
          let retryAfterMs: number | undefined;
          let code: string | undefined;
          let sentToServer: boolean;
          if (sent.kind === 'response' && sent.status >= 200 && sent.status < 300) {
            sent.permit.settle(sent.status);
            const text = sent.redact(await readCapped(sent.body, 64 * 1024));
            const parsed = parseStart(text, sent.status, attempts, sent.headers['x-request-id']);
            if (parsed.ok) return parsed;
            return { ok: false, failure: parsed.failure, maybeStarted: true };
          } else if (sent.kind === 'response') {
            ({ failure, retryAfterMs } = await failureOf(sent, attempts));
            sentToServer = true;
          } else {
            failure = sent.failure;
            code = sent.code;
            sentToServer = !(code !== undefined && NOT_SENT_CODES.has(code)) && failure.message !== 'interrupted' && !failure.message.startsWith('authentication failed');
          }
          if (signal?.aborted) return { ok: false, failure, maybeStarted: sentToServer && failure.reason !== '429' };
          if (failure.reason === '401' && sent.kind === 'response' && !renewed && authenticator.onUnauthorized) {
            renewed = true;
            if (await authenticator.onUnauthorized().catch(() => false)) continue;
          }
          const retryable = safeToRetryStart(code === undefined ? failure : { ...failure, code });
          const maybeStarted = sentToServer && !['401', '403', '404', '400', '429'].includes(failure.reason);
          if (!retryable || retriesUsed >= poll.retries) return { ok: false, failure, maybeStarted };
          logger.debug({ server: serverId, attempt: attempts, reason: failure.reason }, `retrying ExportServerLogs after ${failure.message}`);
          if (!(await backoff(retriesUsed++, retryAfterMs, signal))) return { ok: false, failure, maybeStarted: false };
        } finally {
          void client.close().catch(() => client.destroy());
        }
      }
    },

    async openBundle(key, signal) {
      const path = `${prefix}/${encodePathSegment(key.serverId)}/logs/exports/${encodePathSegment(key.exportId)}/content`;
      const client = new Client(base.origin, { connect: { timeout: poll.timeoutMs } });
      let retriesUsed = 0;
      for (let attempts = 1; ; attempts++) {
        const sent = await send('GET', path, attempts, client, signal);
        if (sent.kind === 'response' && sent.status >= 200 && sent.status < 300) {
          sent.permit.settle(sent.status);
          sent.body.once('close', () => void client.close().catch(() => client.destroy()));
          return { ok: true, response: { headers: sent.headers, body: sent.body } };
        }
        const { failure, retryAfterMs } = sent.kind === 'response' ? await failureOf(sent, attempts) : { failure: sent.failure, retryAfterMs: undefined };
        if (signal?.aborted || !isRetryableReason(failure.reason) || retriesUsed >= poll.retries || !(await backoff(retriesUsed++, retryAfterMs, signal))) {
          void client.close().catch(() => client.destroy());
          return { ok: false, failure };
        }
        logger.debug({ export: key.exportId, attempt: attempts, reason: failure.reason }, `retrying DownloadServerLogs after ${failure.message}`);
      }
    },

    async mayRetryDownload(attempt, failure, signal) {
      if (signal?.aborted || !isRetryableReason(failure.reason) || attempt > poll.retries) return false;
      return backoff(attempt - 1, undefined, signal);
    },
  };
}

function parseStart(text: string, status: number, attempts: number, requestIdHeader: unknown): StartResult | { ok: false; failure: PollFailure } {
  const requestId = typeof requestIdHeader === 'string' ? requestIdHeader : undefined;
  // The 202 claims application/octet-stream in the docs; the body is the JSON status document all the same.
  const attempt = interpretResponse({ kind: 'response', status, headers: { 'content-type': 'application/json' }, text, durationSeconds: 0 }, attempts, (s) => s, Date.now());
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

async function readCapped(body: Readable, limit: number): Promise<string> {
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
