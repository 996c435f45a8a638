/**
 * One adaptive token bucket per account client: every HTTP attempt, retries included, takes a token.
 *
 * CloudDC publishes no limits (docs/clouddc-api.md#errors-and-throttling), so the configured rate is a ceiling, not a promise.
 * The rate adapts like TCP's AIMD: a 429 halves it, and good answers win it back linearly. One throttling
 * episode brings many 429s (every poll in flight, and everything sent until the gateway's one-second window
 * has moved on); halving for each would drop the rate to the floor for a single event. So a 429 cuts only
 * if its request was sent after the last cut and that cut is at least CUT_SPACING_MS old.
 *
 * The bucket is kept as GCRA (a theoretical arrival time) instead of a token count. Waiters queue in FIFO
 * order and only the head books a slot, so every booking uses the rate of its moment: slots booked ahead at
 * a cut rate would keep the account slow long after the rate has recovered. The head books once and sleeps
 * once; nothing polls a clock, which keeps fake-clock tests free of loops.
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
  /**
   * acquire() without the wait: a permit when nobody is in line and a token is at hand, else undefined (and
   * nothing booked), so the caller falls back to acquire(). Spares the common case a promise.
   */
  tryAcquire(): Permit | undefined;
  /** Current requests per second. */
  readonly rate: number;
  /** Monotonic ms until which nothing is sent; in the past when not paused. */
  readonly pausedUntil: number;
}

export const DECREASE_FACTOR = 0.5;
/** APIGW.0308 counts per second ("time:1 second"): a cut shows its effect only once that window has moved. */
export const CUT_SPACING_MS = 1000;
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
  #cutAt = Number.NEGATIVE_INFINITY;
  /** Settles when the last waiter in line has its token (or gave up). */
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  /** Good time for the additive increase counts from here. */
  #lastAdjust: number;
  /** Aborted when a pause or a cut invalidates the slot the head of the line booked. */
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

  tryAcquire(): Permit | undefined {
    if (this.#waiting !== 0) return undefined;
    const now = this.#o.now();
    if (this.#nextSlot(now) > now) return undefined;
    this.#reserve(now);
    return this.#permit();
  }

  async acquire(signal?: AbortSignal): Promise<Permit | undefined> {
    if (signal?.aborted) return undefined;
    // Nobody in line and a token at hand: the common case stays free of queueing and timers.
    const ready = this.tryAcquire();
    if (ready !== undefined) return ready;
    this.#waiting++;
    const started = this.#o.now();
    const ahead = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => (release = resolve));
    try {
      if (!(await inTurn(ahead, signal))) return undefined;
      for (;;) {
        if (signal?.aborted) return undefined;
        const wake = this.#wake.signal;
        const now = this.#o.now();
        const wait = this.#reserve(now) - now;
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
      this.#waiting--;
      release();
      const waited = this.#o.now() - started;
      if (waited > 0) this.#o.onWait?.(waited / 1000);
    }
    return this.#permit();
  }

  #permit(): Permit {
    const epoch = this.#epoch;
    return {
      settle: (status, retryAfterMs) => {
        if (status === 429) this.#throttled(epoch, retryAfterMs);
        else if (status >= 200 && status < 300) this.#succeeded();
      },
    };
  }

  /** When the next slot starts, without booking it. */
  #nextSlot(now: number): number {
    const tolerance = Math.max(0, this.#burstMs - 1000 / this.#rate);
    return Math.max(Math.max(this.#tat, now) - tolerance, this.#pausedUntil);
  }

  /** Books the next slot and returns when it starts. */
  #reserve(now: number): number {
    const slot = this.#nextSlot(now);
    this.#tat = Math.max(this.#tat, now) + 1000 / this.#rate;
    return slot;
  }

  #throttled(epoch: number, retryAfterMs: number | undefined): void {
    const now = this.#o.now();
    const fresh = epoch === this.#epoch && now - this.#cutAt >= CUT_SPACING_MS;
    if (fresh) {
      this.#epoch++;
      this.#cutAt = now;
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

/** Resolves true once `ahead` settles, false as soon as `signal` aborts. */
function inTurn(ahead: Promise<void>, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return ahead.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void ahead.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
