/**
 * One adaptive token bucket per account client: every HTTP attempt, retries included, takes a token.
 *
 * CloudDC publishes no limits (clouddc-api.md §3), so the configured rate is a ceiling, not a promise.
 * The rate adapts like TCP's AIMD: a 429 halves it, and good answers win it back linearly. Halving once
 * per round of requests (see `epoch`) matters: with 64 polls in flight one throttling episode brings many
 * 429s at once, and halving for each would drop the rate to the floor for a single event.
 *
 * The bucket is kept as GCRA (a theoretical arrival time) instead of a token count, so a waiting request
 * books its slot once and sleeps once; nothing polls a clock, which keeps fake-clock tests loop-free.
 */

export interface RateLimiterOptions {
  /** The rate this limiter may use (a shard passes its share of the account's). */
  readonly requestsPerSecond: number;
  readonly burst: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Cap on one account-wide pause: a Retry-After of hours would otherwise silence the account. */
  readonly maxPauseMs?: number;
  /** Called with the current rate at creation and after each change. */
  readonly onRate?: (requestsPerSecond: number) => void;
  /** Called with the seconds one acquire() waited, when it waited at all. */
  readonly onWait?: (seconds: number) => void;
}

/** The right to send one request; its HTTP status goes back through `settle`. */
export interface Permit {
  /** 429 slows the account down and pauses it; 2xx lets the rate recover; anything else says nothing. */
  settle(status: number, retryAfterMs?: number): void;
}

export interface RateLimiter {
  /** Waits for a token; undefined when `signal` aborted first. */
  acquire(signal?: AbortSignal): Promise<Permit | undefined>;
  /** Current requests per second. */
  readonly rate: number;
  /** Monotonic ms until which nothing is sent; in the past when not paused. */
  readonly pausedUntil: number;
}

export const DECREASE_FACTOR = 0.5;
/**
 * Good answers win back 1/20 of the configured rate per second, whatever the number of requests: growth per
 * success would speed up with the rate itself and overshoot the gateway's window. From a halving the full
 * rate returns in about 10 s of clean answers, so a limit that has gone away is not underused for long.
 */
export const RECOVERY_SECONDS = 20;

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  return new AdaptiveLimiter(opts);
}

class AdaptiveLimiter implements RateLimiter {
  readonly #o: RateLimiterOptions;
  readonly #max: number;
  readonly #floor: number;
  /** Burst as a duration at the configured rate, so the bucket shrinks with the rate after a cut. */
  readonly #burstMs: number;
  #rate: number;
  /** GCRA's theoretical arrival time: the next request goes at tat - tolerance. */
  #tat: number;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  /** Bumped at each cut; a 429 for a request sent before the latest cut does not cut again. */
  #epoch = 0;
  /** Good time for the additive increase counts from here. */
  #lastAdjust: number;
  /** Aborted when a pause or a cut invalidates the slots that waiting requests booked. */
  #wake = new AbortController();

  constructor(o: RateLimiterOptions) {
    if (!(o.requestsPerSecond > 0) || !Number.isFinite(o.requestsPerSecond)) {
      throw new RangeError('requestsPerSecond must be a finite number > 0');
    }
    this.#o = o;
    this.#max = o.requestsPerSecond;
    this.#floor = Math.min(this.#max, Math.max(0.1, this.#max / 100));
    // A shard's share of a small burst may fall below one request; one is the least a bucket can hold.
    this.#burstMs = (Math.max(1, o.burst) * 1000) / this.#max;
    this.#rate = this.#max;
    this.#tat = o.now();
    this.#lastAdjust = this.#tat;
    o.onRate?.(this.#rate);
    o.onWait?.(0);
  }

  get rate(): number {
    return this.#rate;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  async acquire(signal?: AbortSignal): Promise<Permit | undefined> {
    const started = this.#o.now();
    try {
      for (;;) {
        if (signal?.aborted) return undefined;
        const wake = this.#wake.signal;
        const wait = this.#reserve() - this.#o.now();
        if (wait <= 0) break;
        try {
          await this.#o.sleep(wait, signal ? AbortSignal.any([signal, wake]) : wake);
        } catch {
          if (signal?.aborted) return undefined;
        }
        // Booked before a pause or a cut: book again under the new terms.
        if (!wake.aborted) break;
      }
    } finally {
      const waited = this.#o.now() - started;
      if (waited > 0) this.#o.onWait?.(waited / 1000);
    }
    const epoch = this.#epoch;
    return {
      settle: (status, retryAfterMs) => {
        if (status === 429) this.#throttled(epoch, retryAfterMs);
        else if (status >= 200 && status < 300) this.#succeeded();
      },
    };
  }

  /** Books the next slot and returns when it starts. */
  #reserve(): number {
    const interval = 1000 / this.#rate;
    const tolerance = Math.max(0, this.#burstMs - interval);
    const tat = Math.max(this.#tat, this.#o.now());
    this.#tat = tat + interval;
    return Math.max(tat - tolerance, this.#pausedUntil);
  }

  #throttled(epoch: number, retryAfterMs: number | undefined): void {
    const now = this.#o.now();
    const fresh = epoch === this.#epoch;
    if (fresh) {
      this.#epoch++;
      this.#setRate(Math.max(this.#floor, this.#rate * DECREASE_FACTOR));
    }
    // Without Retry-After, one interval at the new rate: enough for a per-second window to move on.
    let pauseMs = retryAfterMs ?? (fresh ? 1000 / this.#rate : undefined);
    if (pauseMs === undefined) return;
    pauseMs = Math.min(pauseMs, this.#o.maxPauseMs ?? Number.POSITIVE_INFINITY);
    const until = now + pauseMs;
    if (!fresh && until <= this.#pausedUntil) return;
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
    this.#lastAdjust = Math.max(this.#lastAdjust, this.#pausedUntil);
    // Slots start again at the pause's end, without a burst; everyone waiting books anew.
    this.#tat = this.#pausedUntil + Math.max(0, this.#burstMs - 1000 / this.#rate);
    this.#wake.abort();
    this.#wake = new AbortController();
  }

  #succeeded(): void {
    const now = this.#o.now();
    const goodMs = Math.max(0, now - this.#lastAdjust);
    this.#lastAdjust = Math.max(this.#lastAdjust, now);
    if (this.#rate >= this.#max || goodMs === 0) return;
    this.#setRate(Math.min(this.#max, this.#rate + (this.#max / RECOVERY_SECONDS) * (goodMs / 1000)));
  }

  #setRate(rate: number): void {
    if (rate === this.#rate) return;
    this.#rate = rate;
    this.#o.onRate?.(rate);
  }
}
