import { setTimeout as delay } from 'node:timers/promises';

/**
 * Spreading a cycle's polls over the schedule interval. Without it every tick fires all polls at once and the
 * account's burst is spent in the first second of each interval, which is exactly the pattern a per-second
 * gateway limit punishes; spread out, the same polls need no burst at all.
 */

/** What the schedule knows about one of its ticks. Cycles started otherwise (start-up, by hand, reload) have none. */
export interface Tick {
  /** When the tick was due, ms since the epoch. */
  readonly scheduledAt: number;
  /** When the following tick is due; absent when the schedule has no next run. */
  readonly nextAt?: number;
  /**
   * Set when the tick found the previous cycle running and its cycle started once that one ended: how late, ms.
   * The polls whose place in the spread has passed start at once, the rest keep their place.
   */
  readonly lateMs?: number;
}

/**
 * The share of the interval used for starting polls: the rest is headroom for the last polls' own time
 * (latency, retries, rate-limit waits), so that a spread cycle still ends before the next tick skips.
 */
export const SPREAD_FRACTION = 0.85;

/** However long the retries, the starts are spread over at least this share, or the burst would be back. */
export const MIN_SPREAD_FRACTION = 0.5;

/**
 * How long the starts of one cycle's polls are spread over; 0 means all at once. Only scheduled ticks
 * spread: the start-up cycle is what readiness waits for, and the rate limiter paces it anyway.
 * `reserveMs` is kept free at the end besides the usual headroom, for the last polls' retries (their longest
 * backoff chain), so that a cycle with failing exports still ends before the next tick.
 */
export function spreadWindowMs(spread: boolean, tick: Tick | undefined, reserveMs = 0, fraction = SPREAD_FRACTION): number {
  if (!spread || tick?.nextAt === undefined) return 0;
  const interval = tick.nextAt - tick.scheduledAt;
  if (!Number.isFinite(interval) || interval <= 0) return 0;
  return Math.max(interval * MIN_SPREAD_FRACTION, interval * fraction - reserveMs);
}

/** Resolves true when poll `index` may start, false when `signal` aborted first. */
export type Pacer = (index: number, signal?: AbortSignal) => Promise<boolean>;

export interface PacerOptions {
  readonly windowMs: number;
  /** Polls in the cycle. */
  readonly total: number;
  /** Cycle start, on the `now` clock. */
  readonly startedAt: number;
  readonly now: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/**
 * Poll i of N starts no earlier than startedAt + i × window / N. Undefined when nothing is to be spread, so
 * an unspread cycle (the benchmark's 10,000 polls) pays not even an await per poll.
 */
export function createPacer(o: PacerOptions): Pacer | undefined {
  if (!(o.windowMs > 0) || o.total < 2) return undefined;
  const step = o.windowMs / o.total;
  const sleep = o.sleep ?? defaultSleep;
  return async (index, signal) => {
    const wait = o.startedAt + index * step - o.now();
    if (signal?.aborted) return false;
    if (wait <= 0) return true;
    try {
      await sleep(wait, signal);
    } catch {
      return false;
    }
    return !signal?.aborted;
  };
}
