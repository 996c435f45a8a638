import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { pino, type Logger } from 'pino';
import type { AccountSettings, PollSettings } from '../domain/config.js';
import { exportKeyId, type ExportKey } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { AuthenticationError, type Authenticator } from './auth/token.js';
import { sanitise } from './error-body.js';
import type { ApiObserver } from './observer.js';
import { backoffDelayMs, isRetryableReason, parseRetryAfter } from './retry.js';
import { interpretResponse, redactor, type Attempt } from './response.js';
import { sendOnce } from './transport.js';
import { showLogsExportStatusUrl } from './url.js';

export type { ApiObserver } from './observer.js';

export interface AccountClient {
  /** Never rejects: every failure, including the caller aborting, comes back as a PollFailure. */
  fetchStatus(key: ExportKey, signal?: AbortSignal): Promise<PollResult>;
  /** Aborts requests in flight and closes the connection pool. */
  close(): Promise<void>;
}

export interface AccountClientOptions {
  readonly account: AccountSettings;
  readonly poll: PollSettings;
  readonly userAgent: string;
  readonly authenticator: Authenticator;
  readonly observer: ApiObserver;
  readonly logger?: Logger;
  /** Resolves after `ms`, rejects when `signal` aborts; injectable so tests need not wait. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Wall clock in ms, for Retry-After dates. */
  readonly now?: () => number;
  /** Monotonic ms for request durations; defaults to performance.now. */
  readonly durationClock?: () => number;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

export function createAccountClient(opts: AccountClientOptions): AccountClient {
  const { account, poll, authenticator, observer } = opts;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const pool = new Pool(new URL(account.endpoint).origin, {
    connections: Math.max(1, poll.concurrency),
    headersTimeout: poll.timeoutMs,
    bodyTimeout: poll.timeoutMs,
    connect: { timeout: poll.timeoutMs },
  });
  const closing = new AbortController();
  let closed: Promise<void> | undefined;

  async function attemptOnce(url: URL, signal: AbortSignal, attempts: number): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': opts.userAgent };
    let added: Record<string, string>;
    try {
      added = await authenticator.authorize({ method: 'GET', url, headers: { ...headers } });
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : '401';
      const detail = err instanceof Error ? sanitise(err.message, 200) : 'unknown error';
      const message = `authentication failed: ${detail}`;
      return { ok: false, fromHttp: false, failure: { ok: false, reason, message, attempts } };
    }
    // Values the authenticator added are secrets (token, signature); no message may echo them.
    const redact = redactor(Object.values(added));
    const outcome = await sendOnce({
      dispatcher: pool,
      path: url.pathname + url.search,
      headers: { ...headers, ...added },
      timeoutMs: poll.timeoutMs,
      signal,
      clock: opts.durationClock,
    });
    if (outcome.kind === 'failure') {
      observer.onRequest(account.name, outcome.reason, outcome.durationSeconds);
      const message = redact(outcome.message);
      return { ok: false, fromHttp: false, failure: { ok: false, reason: outcome.reason, message, attempts } };
    }
    observer.onRequest(account.name, String(outcome.status), outcome.durationSeconds);
    return interpretResponse(outcome, attempts, redact, now());
  }

  async function run(key: ExportKey, signal: AbortSignal): Promise<PollResult> {
    const url = showLogsExportStatusUrl(account.endpoint, key);
    if (url === undefined) {
      const message = 'an id of "." or ".." cannot be addressed in a URL path';
      return { ok: false, reason: '404', message, attempts: 0 };
    }
    let retriesUsed = 0;
    let renewedOnce = false;
    if (signal.aborted) {
      return { ok: false, reason: 'timeout', message: 'aborted before any request', attempts: 0 };
    }
    for (let attempts = 1; ; attempts++) {
      const attempt = await attemptOnce(url, signal, attempts);
      if (attempt.ok) return attempt.result;
      const { failure } = attempt;
      if (signal.aborted) return failure;

      if (failure.reason === '401' && attempt.fromHttp) {
        if (renewedOnce || !authenticator.onUnauthorized) return failure;
        renewedOnce = true;
        const renewed = await authenticator.onUnauthorized().catch(() => false);
        if (!renewed || signal.aborted) return failure;
        observer.onRetry(account.name, failure.reason);
        const context = { export: exportKeyId(key), attempt: attempts, reason: '401' };
        logger.debug(context, 'credentials renewed, retrying');
        continue;
      }
      if (!isRetryableReason(failure.reason) || retriesUsed >= poll.retries) return failure;

      const waitMs =
        attempt.retryAfterMs !== undefined
          ? Math.min(attempt.retryAfterMs, poll.backoffMaxMs)
          : backoffDelayMs(retriesUsed, poll.backoffInitialMs, poll.backoffMaxMs, random);
      retriesUsed++;
      observer.onRetry(account.name, failure.reason);
      const { reason, errorCode, requestId } = failure;
      logger.debug(
        { export: exportKeyId(key), attempt: attempts, reason, errorCode, requestId, delayMs: waitMs },
        `retrying after ${failure.message}`,
      );
      try {
        await sleep(waitMs, signal);
      } catch {
        return failure;
      }
      if (signal.aborted) return failure;
    }
  }

  return {
    async fetchStatus(key, signal) {
      // One signal for "stop now": the caller's deadline or close(). Listeners are removed afterwards, so a
      // long-lived caller signal does not accumulate one per poll.
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      closing.signal.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted || closing.signal.aborted) stop.abort();
      try {
        return await run(key, stop.signal);
      } catch (err) {
        const detail = err instanceof Error ? sanitise(err.message, 200) : 'unknown error';
        return { ok: false, reason: 'network', message: `unexpected client error: ${detail}`, attempts: 0 };
      } finally {
        signal?.removeEventListener('abort', onAbort);
        closing.signal.removeEventListener('abort', onAbort);
      }
    },
    close() {
      closed ??= (async () => {
        closing.abort();
        await pool.close().catch(() => pool.destroy());
      })();
      return closed;
    },
  };
}
