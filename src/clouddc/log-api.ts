import { setTimeout as delay } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { AccountSettings, PollSettings } from '../domain/config.js';
import type { ExportKey } from '../domain/export.js';
import type { PollFailure } from '../domain/poll.js';
import { AuthenticationError, type Authenticator } from './authenticator.js';
import { GuardedClient } from './body-stream.js';
import { sanitise } from './error-body.js';
import { createRateLimiter, type Permit } from './rate-limiter.js';
import { interpretResponse, redactor } from './response.js';
import { backoffDelayMs, isRetryableReason, parseRetryAfter } from './retry.js';
import { ACCEPT, encodePathSegment } from './url.js';
import { NOT_SENT_CODES, errorCodeOf, parseStart, readCapped, safeToRetryStart, type StartResult } from './log-api-answers.js';

export { safeToRetryStart, type StartResult } from './log-api-answers.js';

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
    | {
        kind: 'response';
        status: number;
        headers: Record<string, string | string[] | undefined>;
        body: Readable;
        permit: Permit;
        redact: (s: string) => string;
      }
    | { kind: 'failure'; failure: PollFailure; code?: string; fromHttp: false };

  async function send(method: 'GET' | 'POST', path: string, attempts: number, client: GuardedClient, signal?: AbortSignal): Promise<Sent> {
    const headers: Record<string, string> = { accept: ACCEPT, 'user-agent': opts.userAgent };
    if (method === 'POST') headers['content-type'] = 'application/json';
    let all: Record<string, string>;
    try {
      all = await authorize(method, path, headers);
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : '401';
      const message = `authentication failed: ${err instanceof Error ? sanitise(err.message, 200) : 'unknown error'}`;
      return { kind: 'failure', failure: { ok: false, reason, message, attempts }, fromHttp: false };
    }
    const redact = redactor(
      Object.entries(all)
        .filter(([k]) => !(k in headers))
        .map(([, v]) => v),
    );
    const permit = await limiter.acquire(signal);
    if (permit === undefined) return { kind: 'failure', failure: { ok: false, reason: 'timeout', message: 'interrupted', attempts }, fromHttp: false };
    try {
      const res = await client.request({
        method,
        path,
        headers: all,
        ...(method === 'POST' && { body: '' }),
        ...(signal && { signal }),
        headersTimeoutMs: poll.timeoutMs,
        idleTimeoutMs: poll.timeoutMs,
      });
      return { kind: 'response', status: res.status, headers: res.headers, body: res.body, permit, redact };
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
    const attempt = interpretResponse(
      { kind: 'response', status: sent.status, headers: sent.headers, text, durationSeconds: 0 },
      attempts,
      sent.redact,
      Date.now(),
    );
    const retryAfterMs = parseRetryAfter(sent.headers['retry-after'], Date.now());
    sent.permit.settle(sent.status, retryAfterMs);
    if (attempt.ok) return { failure: { ok: false, reason: 'invalid_response', message: 'unexpected answer', attempts } };
    return retryAfterMs === undefined ? { failure: attempt.failure } : { failure: attempt.failure, retryAfterMs };
  }

  async function backoff(retriesUsed: number, retryAfterMs: number | undefined, signal?: AbortSignal): Promise<boolean> {
    const waitMs =
      retryAfterMs !== undefined ? Math.min(retryAfterMs, poll.backoffMaxMs) : backoffDelayMs(retriesUsed, poll.backoffInitialMs, poll.backoffMaxMs, random);
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
        const client = new GuardedClient(base.origin, poll.timeoutMs);
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
            sentToServer =
              !(code !== undefined && NOT_SENT_CODES.has(code)) && failure.message !== 'interrupted' && !failure.message.startsWith('authentication failed');
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
          void client.close();
        }
      }
    },

    async openBundle(key, signal) {
      const path = `${prefix}/${encodePathSegment(key.serverId)}/logs/exports/${encodePathSegment(key.exportId)}/content`;
      const client = new GuardedClient(base.origin, poll.timeoutMs);
      let retriesUsed = 0;
      for (let attempts = 1; ; attempts++) {
        const sent = await send('GET', path, attempts, client, signal);
        if (sent.kind === 'response' && sent.status >= 200 && sent.status < 300) {
          sent.permit.settle(sent.status);
          sent.body.once('close', () => void client.close());
          return { ok: true, response: { headers: sent.headers, body: sent.body } };
        }
        const { failure, retryAfterMs } = sent.kind === 'response' ? await failureOf(sent, attempts) : { failure: sent.failure, retryAfterMs: undefined };
        if (signal?.aborted || !isRetryableReason(failure.reason) || retriesUsed >= poll.retries || !(await backoff(retriesUsed++, retryAfterMs, signal))) {
          void client.close();
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
