import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { pino, type Logger } from 'pino';
import type { AccountSettings, PollSettings, RateLimitSettings } from '../domain/config.js';
import { exportKeyId, type ExportKey } from '../domain/export.js';
import type { PollFailure, PollResult, Slot } from '../domain/poll.js';
import { AuthenticationError, type AttemptReport, type Authenticator, type AuthorizeRequest } from './authenticator.js';
import { sanitise } from './error-body.js';
import type { ApiObserver } from './observer.js';
import { createRateLimiter } from './rate-limiter.js';
import { backoffDelayMs, isRetryableReason } from './retry.js';
import { interpretJson, interpretResponse, redactor, type Attempt, type Fetched, type Parsed } from './response.js';
import { PollScope } from './poll-scope.js';
import { sendOnce, type AttemptOutcome } from './transport.js';
import { ACCEPT, statusPaths } from './url.js';

export type { ApiObserver } from './observer.js';
export type { Fetched, Parsed } from './response.js';

/** One GET for fetchJson. */
export interface JsonRequest<T> {
  /** `/v1/{project_id}/…?query`, percent-encoded; the endpoint's path prefix is put in front. */
  readonly path: string;
  readonly parse: (text: string) => Parsed<T>;
  /** Default: transport.ts's cap for a status document. */
  readonly maxBodyBytes?: number;
  /** What the debug log of a retry names, e.g. `{ call: 'ListServers', page: 2 }`. */
  readonly context: Readonly<Record<string, unknown>>;
}

type Interpret<R> = (outcome: Extract<AttemptOutcome, { kind: 'response' }>, attempts: number, redact: (text: string) => string, nowMs: number) => Attempt<R>;

export interface AccountClient {
  /**
   * Never rejects: every failure, including the caller aborting, comes back as a PollFailure. With a `slot`, the
   * wait before a retry happens without it: released before the wait and retaken after. A poll listens on `signal`
   * while it runs, so the owner of a signal shared by more than 10 concurrent polls raises its listener limit
   * (events.setMaxListeners), as the exporter does.
   */
  fetchStatus(key: ExportKey, signal?: AbortSignal, slot?: Slot): Promise<PollResult>;
  /**
   * Any other GET of the account's API (the fleet calls): the same authentication, rate limit, retries, timeouts,
   * error counters and redaction as a poll. `path` is below the endpoint's own path, query included. Never rejects.
   */
  fetchJson<T>(request: JsonRequest<T>, signal?: AbortSignal): Promise<Fetched<T> | PollFailure>;
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
interface Tried<R = PollResult> {
  readonly attempt: Attempt<R>;
  readonly report?: AttemptReport;
}

/** What one authorization turns into; kept while authorize() resolves to the same frozen object (a cached token). */
interface Prepared {
  readonly added: Readonly<Record<string, string>>;
  /** Headers as sent: ours and the authenticator's. */
  readonly headers: Record<string, string>;
  readonly redact: (text: string) => string;
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
  const paths = statusPaths(account.endpoint);
  // Frozen: authorize() sees the very object, so it must not be able to change what later requests send.
  const baseHeaders: Readonly<Record<string, string>> = Object.freeze({ accept: ACCEPT, 'user-agent': opts.userAgent });
  let closing = false;
  const inFlight = new Set<PollScope>();
  let closed: Promise<void> | undefined;
  const limiter = createRateLimiter({
    ...(opts.rateLimit ?? account.rateLimit),
    maxPauseMs: poll.backoffMaxMs,
    now: opts.limiterClock ?? opts.durationClock ?? (() => performance.now()),
    sleep,
    onRate: (rps) => observer.onRateLimit(account.name, rps),
    onWait: (seconds) => observer.onThrottleWait(account.name, seconds),
  });

  // Building the headers and the redactor (every encoded form of every secret) per request cost about 40 % more CPU
  // per poll in bench figure 2. Only a frozen object is remembered: one that cannot change is safe to turn into
  // headers and a redactor once.
  let lastPrepared: Prepared | undefined;
  function prepare(added: Readonly<Record<string, string>>): Prepared {
    if (lastPrepared?.added === added) return lastPrepared;
    const headers: Record<string, string> = { ...baseHeaders, ...added };
    // Values the authenticator added are secrets (token, signature); no message may echo them.
    const prepared = { added, headers, redact: redactor(Object.values(added)) };
    if (Object.isFrozen(added)) lastPrepared = prepared;
    return prepared;
  }

  /** Tells the authenticator what became of a request it let through; it must not break the poll. */
  function report(r: AttemptReport): AttemptReport {
    if (authenticator.onResult === undefined) return r;
    try {
      authenticator.onResult(r);
    } catch (err) {
      logger.error({ err: err instanceof Error ? sanitise(err.message, 200) : 'unknown' }, 'authenticator onResult threw');
    }
    return r;
  }

  async function attemptOnce<R>(
    authReq: AuthorizeRequest,
    path: string,
    scope: PollScope,
    attempts: number,
    interpret: Interpret<R>,
    maxBodyBytes?: number,
  ): Promise<Tried<R>> {
    let added: Readonly<Record<string, string>>;
    try {
      added = await authenticator.authorize(authReq);
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : '401';
      const detail = err instanceof Error ? sanitise(err.message, 200) : 'unknown error';
      const message = `authentication failed: ${detail}`;
      return { attempt: { ok: false, fromHttp: false, failure: { ok: false, reason, message, attempts } } };
    }
    const { headers, redact } = prepare(added);
    // After authorize: a poll the authenticator refuses (a paused account) must not use up a token.
    const permit = scope.aborted ? undefined : (limiter.tryAcquire() ?? (await limiter.acquire(scope.signal)));
    if (permit === undefined) {
      report({ authorization: added });
      const message = 'aborted while waiting for the rate limit';
      return { attempt: { ok: false, fromHttp: false, failure: { ok: false, reason: 'timeout', message, attempts: attempts - 1 } } };
    }
    const outcome = await sendOnce({
      dispatcher: pool,
      path,
      headers,
      timeoutMs: poll.timeoutMs,
      signal: scope,
      clock: opts.durationClock,
      ...(maxBodyBytes !== undefined && { maxBodyBytes }),
    });
    if (outcome.kind === 'failure') {
      observer.onRequest(account.name, outcome.reason, outcome.durationSeconds);
      const message = redact(outcome.message);
      const failure = { ok: false as const, reason: outcome.reason, message, attempts };
      return { attempt: { ok: false, fromHttp: false, failure }, report: report({ authorization: added }) };
    }
    observer.onRequest(account.name, String(outcome.status), outcome.durationSeconds);
    const attempt = interpret(outcome, attempts, redact, now());
    if (attempt.ok) {
      permit.settle(outcome.status);
      // Nobody reads a success's report but the authenticator, if it listens.
      if (authenticator.onResult !== undefined) report({ authorization: added, status: outcome.status });
      return { attempt };
    }
    permit.settle(outcome.status, attempt.retryAfterMs);
    const { errorCode, message } = attempt.failure;
    const tried: { -readonly [K in keyof AttemptReport]: AttemptReport[K] } = { authorization: added, status: outcome.status };
    if (errorCode !== undefined) tried.errorCode = errorCode;
    tried.message = message;
    return { attempt, report: report(tried) };
  }

  function runStatus(key: ExportKey, scope: PollScope, slot: Slot | undefined): Promise<PollResult> {
    const path = paths.pathFor(key);
    if (path === undefined) {
      const message = 'an id of "." or ".." cannot be addressed in a URL path';
      return Promise.resolve({ ok: false, reason: '404', message, attempts: 0 });
    }
    // Built only when a retry is logged: most polls never need it.
    return run(path, () => ({ export: exportKeyId(key) }), scope, slot, interpretResponse);
  }

  async function run<R>(
    path: string,
    context: () => Readonly<Record<string, unknown>>,
    scope: PollScope,
    slot: Slot | undefined,
    interpret: Interpret<R>,
    maxBodyBytes?: number,
  ): Promise<R | PollFailure> {
    let retriesUsed = 0;
    let renewedOnce = false;
    if (scope.aborted) {
      return { ok: false, reason: 'timeout', message: 'aborted before any request', attempts: 0 };
    }
    const authReq: AuthorizeRequest = { method: 'GET', url: new URL(path, paths.origin), headers: baseHeaders };
    for (let attempts = 1; ; attempts++) {
      const { attempt, report: tried } = await attemptOnce(authReq, path, scope, attempts, interpret, maxBodyBytes);
      if (attempt.ok) return attempt.result;
      const { failure } = attempt;
      if (scope.aborted) return failure;

      if (failure.reason === '401' && attempt.fromHttp) {
        if (renewedOnce || !authenticator.onUnauthorized) return failure;
        renewedOnce = true;
        const renewed = await authenticator.onUnauthorized(tried).catch(() => false);
        if (!renewed || scope.aborted) return failure;
        observer.onRetry(account.name, failure.reason);
        logger.debug({ ...context(), attempt: attempts, reason: '401' }, 'credentials renewed, retrying');
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
      logger.debug({ ...context(), attempt: attempts, reason, errorCode, requestId, delayMs: waitMs }, `retrying after ${failure.message}`);
      // The wait needs no slot: another poll uses it meanwhile. A retry without a wait keeps it.
      const handBack = waitMs > 0 ? slot : undefined;
      handBack?.release();
      try {
        await sleep(waitMs, scope.signal);
      } catch {
        return failure;
      }
      if (scope.aborted) return failure;
      if (handBack !== undefined && !(await handBack.retake(scope.signal))) return failure;
      if (scope.aborted) return failure;
    }
  }

  /** Runs `work` in a scope of its own that the caller's signal and close() abort; never rejects. */
  async function scoped<R>(signal: AbortSignal | undefined, work: (scope: PollScope) => Promise<R | PollFailure>): Promise<R | PollFailure> {
    const scope = new PollScope();
    const live = !closing && signal?.aborted !== true;
    const onAbort = () => scope.abort();
    if (live) {
      inFlight.add(scope);
      signal?.addEventListener('abort', onAbort, { once: true });
    } else {
      scope.abort();
    }
    try {
      return await work(scope);
    } catch (err) {
      const detail = err instanceof Error ? sanitise(err.message, 200) : 'unknown error';
      return { ok: false, reason: 'network', message: `unexpected client error: ${detail}`, attempts: 0 };
    } finally {
      if (live) {
        inFlight.delete(scope);
        signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  const prefix = new URL(account.endpoint).pathname.replace(/\/+$/, '');
  return {
    fetchStatus: (key, signal, slot) => scoped(signal, (scope) => runStatus(key, scope, slot)),
    fetchJson: <T>(req: JsonRequest<T>, signal?: AbortSignal) =>
      scoped<Fetched<T>>(signal, (scope) =>
        run(
          prefix + req.path,
          () => req.context,
          scope,
          undefined,
          (o, a, r, n) => interpretJson(o, a, r, n, req.parse),
          req.maxBodyBytes,
        ),
      ),
    close() {
      closed ??= (async () => {
        closing = true;
        for (const scope of inFlight) scope.abort();
        await pool.close().catch(() => pool.destroy());
      })();
      return closed;
    },
  };
}
