import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { pino, type Logger } from 'pino';
import type { AccountSettings, PollSettings, RateLimitSettings } from '../domain/config.js';
import { exportKeyId, type ExportKey } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { AuthenticationError, type AttemptReport, type Authenticator } from './auth/token.js';
import { sanitise } from './error-body.js';
import type { ApiObserver } from './observer.js';
import { createRateLimiter } from './rate-limiter.js';
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
  /** The rate this client may use; defaults to the account's. A shard passes its share of it. */
  readonly rateLimit?: RateLimitSettings;
  /** Monotonic ms for the rate limiter; defaults to durationClock, then performance.now. */
  readonly limiterClock?: () => number;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** One attempt and, when a request went out, the report the authenticator got about it. */
interface Tried {
  readonly attempt: Attempt;
  readonly report?: AttemptReport;
}

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
  const limiter = createRateLimiter({
    ...(opts.rateLimit ?? account.rateLimit),
    maxPauseMs: poll.backoffMaxMs,
    now: opts.limiterClock ?? opts.durationClock ?? (() => performance.now()),
    sleep,
    onRate: (rps) => observer.onRateLimit(account.name, rps),
    onWait: (seconds) => observer.onThrottleWait(account.name, seconds),
  });

  /** Tells the authenticator what became of a request it let through; it must not break the poll. */
  function report(r: AttemptReport): AttemptReport {
    try {
      authenticator.onResult?.(r);
    } catch (err) {
      logger.error({ err: err instanceof Error ? sanitise(err.message, 200) : 'unknown' }, 'authenticator onResult threw');
    }
    return r;
  }

  async function attemptOnce(url: URL, signal: AbortSignal, attempts: number): Promise<Tried> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': opts.userAgent };
    let added: Record<string, string>;
    try {
      added = await authenticator.authorize({ method: 'GET', url, headers: { ...headers } });
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : '401';
      const detail = err instanceof Error ? sanitise(err.message, 200) : 'unknown error';
      const message = `authentication failed: ${detail}`;
      return { attempt: { ok: false, fromHttp: false, failure: { ok: false, reason, message, attempts } } };
    }
    // Values the authenticator added are secrets (token, signature); no message may echo them.
    const redact = redactor(Object.values(added));
    // After authorize: a poll the authenticator refuses (a paused account) must not use up a token.
    const permit = await limiter.acquire(signal);
    if (permit === undefined) {
      report({ authorization: added });
      const message = 'aborted while waiting for the rate limit';
      return { attempt: { ok: false, fromHttp: false, failure: { ok: false, reason: 'timeout', message, attempts: attempts - 1 } } };
    }
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
      const failure = { ok: false as const, reason: outcome.reason, message, attempts };
      return { attempt: { ok: false, fromHttp: false, failure }, report: report({ authorization: added }) };
    }
    observer.onRequest(account.name, String(outcome.status), outcome.durationSeconds);
    const attempt = interpretResponse(outcome, attempts, redact, now());
    permit.settle(outcome.status, attempt.ok ? undefined : attempt.retryAfterMs);
    const { errorCode, message } = attempt.ok ? { errorCode: undefined, message: undefined } : attempt.failure;
    return {
      attempt,
      report: report({
        authorization: added,
        status: outcome.status,
        ...(errorCode !== undefined && { errorCode }),
        ...(message !== undefined && { message }),
      }),
    };
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
      const { attempt, report: tried } = await attemptOnce(url, signal, attempts);
      if (attempt.ok) return attempt.result;
      const { failure } = attempt;
      if (signal.aborted) return failure;

      if (failure.reason === '401' && attempt.fromHttp) {
        if (renewedOnce || !authenticator.onUnauthorized) return failure;
        renewedOnce = true;
        const renewed = await authenticator.onUnauthorized(tried).catch(() => false);
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
