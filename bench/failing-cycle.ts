import { longestBackoffChainMs } from '../src/clouddc/retry.js';
import type { ExportTarget } from '../src/domain/export.js';
import { createSelfMetrics } from '../src/metrics/self-metrics.js';
import { apiSourceFactory, startExporter, type Running } from '../src/runtime/start.js';
import type { SourceFactory } from '../src/runtime/exporter.js';
import { benchConfig, silentLogger } from './fixtures.js';
import { ms, times, type Row } from './report.js';
import type { SimProcess } from './sim-process.js';
import { median, repeat, timeMs } from './stats.js';

/** The target: a partial outage costs at most 30 % on top of the healthy cycle, plus one retry chain. */
const RATIO_TARGET = 1.3;

export interface FailingCycleOptions {
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly reps: number;
  /** Every `failEvery`-th export answers 500 (5: 20 %). */
  readonly failEvery: number;
  readonly retries: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /**
   * Also measure the same failing cycle with each poll keeping its slot while it backs off (the behaviour before
   * slots were handed back). About 2,000 × 0.75 s ÷ concurrency: minutes, so off unless asked for.
   */
  readonly heldBaseline?: boolean;
}

/**
 * Figure 5: one poll cycle with a share of the exports answering 500, beside the all-healthy cycle of the same
 * exporter in the same run. Retries and backoff at their defaults, as a user would run them.
 */
export async function benchFailingCycle(sim: SimProcess, targets: ExportTarget[], o: FailingCycleOptions): Promise<Row[]> {
  await sim.setLatency(o.latencyMs);
  const poll = { concurrency: o.concurrency, retries: o.retries, backoffInitialMs: o.backoffInitialMs, backoffMaxMs: o.backoffMaxMs };
  const start = (makeSource?: SourceFactory) =>
    startExporter({
      config: benchConfig(sim.url, targets, poll),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      defaultMetrics: false,
      makeSource,
    });
  let running: Running | undefined;
  try {
    running = await start();
    // The start-up cycle (all healthy) and two failing cycles (the error path's first runs) are the warm-up. Then
    // each round runs a healthy cycle, the first cycle of an outage and a second one, so that a change in the
    // machine's load hits all three alike. The first knows nothing of which exports fail; from the second on, the
    // exports that failed last time start first (poller/poll-cycle.ts), which is the steady state of an outage
    // that lasts, and the one the target is for.
    await running.exporter.runner.idle();
    const failing = await sim.setFailing(o.failEvery);
    await cycleOf(running, failing)();
    await cycleOf(running, failing)();
    const healthyRuns: number[] = [];
    const onsetRuns: number[] = [];
    const steadyRuns: number[] = [];
    for (let i = 0; i < o.reps; i++) {
      await sim.setFailing(0);
      healthyRuns.push(await cycleOf(running, 0)());
      await sim.setFailing(o.failEvery);
      onsetRuns.push(await cycleOf(running, failing)());
      steadyRuns.push(await cycleOf(running, failing)());
    }
    const healthy = median(healthyRuns);
    const steady = median(steadyRuns);
    const onset = median(onsetRuns);
    const chain = longestBackoffChainMs(o.retries, o.backoffInitialMs, o.backoffMaxMs);
    const target = RATIO_TARGET * healthy + chain;
    const share = `${Math.round((failing / targets.length) * 100)} %`;
    const factor = requestFactor(o, failing, targets.length);
    const rows: Row[] = [
      {
        figure: `5. poll cycle, ${targets.length} exports, ${share} answering 500, c=${o.concurrency}, retries ${o.retries}`,
        median: ms(steady),
        baseline: `${ms(healthy)} all healthy`,
        ratio: times(steady / healthy),
        target: `≤ ${RATIO_TARGET}× + ${ms(chain)} chain = ${ms(target)}`,
        pass: steady <= target,
      },
      {
        // The outage's first cycle: the failing exports sit where the store has them, so the last of them starts its
        // chain near the end of the queue. Retries are requests too (20 % failing with 2 retries is 40 % more
        // requests through the same slots), so its floor is the scaled healthy cycle plus one chain.
        figure: `   the outage's first cycle, against the requests it sends (${factor.toFixed(2)}× healthy's) + chain`,
        median: ms(onset),
        baseline: `${ms(factor * healthy + chain)} scaled`,
        ratio: times(onset / (factor * healthy + chain)),
        target: '-',
      },
    ];
    if (o.heldBaseline) {
      await running.stop(100);
      running = await start(slotKeepingSources());
      await running.exporter.runner.idle();
      const held = median(await repeat(0, 1, cycleOf(running, failing)));
      rows.push({
        figure: '   the same, a backoff keeping its slot (before)',
        median: ms(held),
        baseline: `${ms(healthy)} all healthy`,
        ratio: times(held / healthy),
        target: '-',
      });
    }
    return rows;
  } finally {
    await running?.stop(100);
    await sim.setFailing(0);
    await sim.setLatency(0);
  }
}

/** Requests a failing cycle sends, relative to a healthy one: every failing export makes 1 + retries attempts. */
function requestFactor(o: Pick<FailingCycleOptions, 'retries'>, failing: number, total: number): number {
  return (total + failing * o.retries) / total;
}

/** One cycle by hand, timed; throws unless exactly the scripted exports failed and every other one succeeded. */
function cycleOf(running: Running, expectFailed: number): () => Promise<number> {
  return async () => {
    const since = Date.now() / 1000;
    const took = await timeMs(() => running.exporter.pollOnce());
    let failed = 0;
    let stale = 0;
    for (const s of running.exporter.store.states()) {
      if ((s.lastPollAt ?? 0) < since) stale++;
      else if (!s.lastPollOk) failed++;
    }
    if (stale > 0 || failed !== expectFailed) throw new Error(`cycle: ${stale} exports not polled, ${failed} failed (expected ${expectFailed})`);
    return took;
  };
}

/** The real clients, but a poll never gives its slot back: what every backoff cost before. */
function slotKeepingSources(): SourceFactory {
  const real = apiSourceFactory({ logger: silentLogger }, createSelfMetrics({ version: 'bench', defaultMetrics: false }));
  return (account, poll) => {
    const client = real(account, poll);
    return { fetchStatus: (key, signal) => client.fetchStatus(key, signal), close: () => client.close() };
  };
}
