import type { Logger } from 'pino';
import type { ExporterConfig } from '../domain/config.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import { capacityOf, capacityWarning, scheduleIntervalMs, type AccountCapacity } from '../poller/capacity.js';
import { shardConfig, type Shard } from '../poller/shard.js';

/**
 * `--config.check`: the warnings for a whole config. Sharded, every shard is worked out (a replica's index
 * may come from its host name only at run time) and each account is judged by its busiest shard.
 */
export function capacityWarnings(config: ExporterConfig, shards = 1): string[] {
  const intervalMs = scheduleIntervalMs(config.poll.schedule);
  if (shards <= 1) {
    return capacityOf(config, 1, intervalMs)
      .filter((c) => c.overloaded)
      .map((c) => capacityWarning(c, config.poll.schedule));
  }
  const worst = new Map<string, { c: AccountCapacity; index: number }>();
  for (let index = 0; index < shards; index++) {
    for (const c of capacityOf(shardConfig(config, { index, total: shards }), shards, intervalMs)) {
      const seen = worst.get(c.account);
      if (seen === undefined || c.minCycleSeconds > seen.c.minCycleSeconds) worst.set(c.account, { c, index });
    }
  }
  return [...worst.values()].filter(({ c }) => c.overloaded).map(({ c, index }) => capacityWarning(c, config.poll.schedule, { index, total: shards }));
}

/**
 * At start and after every reload, for the config this replica runs (already sharded): sets the per-account
 * gauge, logs each overloaded account once, and returns the warnings for the status page.
 */
export function reportCapacity(config: ExporterConfig, shard: Shard, metrics: SelfMetrics, logger: Logger): string[] {
  const all = capacityOf(config, shard.total);
  metrics.cycleMinDuration.reset();
  const warnings: string[] = [];
  for (const c of all) {
    metrics.cycleMinDuration.set({ account: c.account }, c.minCycleSeconds);
    if (!c.overloaded) continue;
    const warning = capacityWarning(c, config.poll.schedule, shard);
    warnings.push(warning);
    logger.warn(
      {
        account: c.account,
        exports: c.exports,
        requestsPerSecond: c.requestsPerSecond,
        minCycleSeconds: c.minCycleSeconds,
        intervalSeconds: c.intervalSeconds,
      },
      `poll schedule cannot be met: ${warning}`,
    );
  }
  return warnings;
}
