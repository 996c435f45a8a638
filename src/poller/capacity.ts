import { createTask } from 'node-cron';
import type { ExporterConfig } from '../domain/config.js';

/**
 * Whether a schedule can be met at all, said before it bites. Every poll of an account takes one token of its
 * rate limit, so N exports at R requests/s need N / R seconds per cycle however fast the API answers; the
 * bucket's burst helps the first cycle only, since cycles follow each other without a pause to refill it.
 * poll.concurrency and poll.timeout add no floor of their own: C polls in flight at latency L take N × L / C,
 * and nothing in the config bounds L from below (poll.timeout bounds it from above). That part shows at run
 * time in clouddc_exporter_poll_cycle_duration_seconds. Retries need tokens too, so the floor is for a
 * cycle without failures.
 */

export interface CapacityInput {
  /** Exports this process polls, by account (this shard's share when sharded). */
  readonly exports: ReadonlyMap<string, number>;
  /** Requests per second each account may send (this shard's share when sharded). */
  readonly requestsPerSecond: ReadonlyMap<string, number>;
  /** The shortest time between two ticks of poll.schedule. */
  readonly intervalMs: number;
  /** Replicas the rate limit is divided among: what the account's whole rate_limit must be is this times its share. */
  readonly shards?: number;
}

export interface AccountCapacity {
  readonly account: string;
  readonly exports: number;
  readonly requestsPerSecond: number;
  /** The shortest possible poll cycle for this account's exports. */
  readonly minCycleSeconds: number;
  readonly intervalSeconds: number;
  /** minCycleSeconds > intervalSeconds: the schedule cannot be met. */
  readonly overloaded: boolean;
  /** The account's rate_limit.requests_per_second (all shards together) that would fit the polls into the interval. */
  readonly neededRequestsPerSecond: number;
}

/** One entry per account, in the order of `requestsPerSecond` (the config's order); pure. */
export function cycleCapacity(input: CapacityInput): AccountCapacity[] {
  const intervalSeconds = input.intervalMs / 1000;
  const shards = Math.max(1, input.shards ?? 1);
  return [...input.requestsPerSecond].map(([account, requestsPerSecond]) => {
    const exports = input.exports.get(account) ?? 0;
    const minCycleSeconds = exports / requestsPerSecond;
    return {
      account,
      exports,
      requestsPerSecond,
      minCycleSeconds,
      intervalSeconds,
      overloaded: intervalSeconds > 0 && minCycleSeconds > intervalSeconds,
      neededRequestsPerSecond: intervalSeconds > 0 ? Math.ceil(((exports * shards) / intervalSeconds) * 100) / 100 : Number.POSITIVE_INFINITY,
    };
  });
}

/** The input for a config as this process runs it (after sharding, see poller/shard.ts). */
export function capacityOf(config: ExporterConfig, shards = 1, intervalMs = scheduleIntervalMs(config.poll.schedule)): AccountCapacity[] {
  const exports = new Map<string, number>();
  for (const e of config.exports) exports.set(e.account, (exports.get(e.account) ?? 0) + 1);
  const requestsPerSecond = new Map([...config.accounts.values()].map((a) => [a.name, a.rateLimit.requestsPerSecond]));
  return cycleCapacity({ exports, requestsPerSecond, intervalMs, shards });
}

/**
 * The shortest gap between the schedule's next `sample` ticks: the tightest interval it asks cycles to fit into
 * ("0 9,17 * * *" gives 8 h). The task is never started, so it leaves no timer behind.
 */
export function scheduleIntervalMs(expression: string, sample = 32): number {
  const task = createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(sample);
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, runs[i]!.getTime() - runs[i - 1]!.getTime());
    return shortest;
  } finally {
    void task.destroy();
  }
}

/** The warning for one overloaded account, naming the numbers and both fixes. */
export function capacityWarning(c: AccountCapacity, schedule: string, shard?: { readonly index: number; readonly total: number }): string {
  const where = shard && shard.total > 1 ? ` (shard ${shard.index} of ${shard.total}: its share of the exports and of the rate)` : '';
  return (
    `account "${c.account}"${where}: ${c.exports} exports at rate_limit ${fmt(c.requestsPerSecond)} requests/s need at least ` +
    `${fmt(c.minCycleSeconds)} s per poll cycle, but poll.schedule "${schedule}" ticks every ${fmt(c.intervalSeconds)} s, ` +
    `so each export is polled about every ${fmt(c.minCycleSeconds)} s instead. Fix: raise accounts.${c.account}.rate_limit.requests_per_second ` +
    // Already rounded up to 0.01: printed whole, so that it is never below the need.
    `to at least ${c.neededRequestsPerSecond} (if CloudDC allows that much), or lengthen poll.schedule to at least every ${fmt(Math.ceil(c.minCycleSeconds))} s`
  );
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, '');
}
