import type { ExportTarget } from '../src/domain/export.js';
import { startExporter } from '../src/runtime/start.js';
import { benchConfig, silentLogger } from './fixtures.js';
import { ms, times, type Row } from './report.js';
import type { SimProcess } from './sim-process.js';
import { median, repeat, timeMs } from './stats.js';

const TARGET_MS = 5000;

export interface CycleOptions {
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly reps: number;
}

/** Figure 3: one full poll cycle through the real Exporter and client against a slow simulator. */
export async function benchCycle(sim: SimProcess, targets: ExportTarget[], opts: CycleOptions): Promise<Row[]> {
  await sim.setLatency(opts.latencyMs);
  const running = await startExporter({
    config: benchConfig(sim.url, targets, { concurrency: opts.concurrency }),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
  });
  try {
    const cycle = async () => {
      const since = Date.now() / 1000;
      const took = await timeMs(() => running.exporter.pollOnce());
      let failed = 0;
      for (const s of running.exporter.store.states()) if (!s.lastPollOk || (s.lastPollAt ?? 0) < since) failed++;
      if (failed > 0) throw new Error(`${failed} of ${targets.length} exports not polled successfully in the cycle`);
      return took;
    };
    // The cycle startExporter starts at once is the warm-up (connections, JIT).
    await running.exporter.runner.idle();
    const runs = await repeat(0, opts.reps, cycle);
    const m = median(runs);
    const ideal = (targets.length / opts.concurrency) * opts.latencyMs;
    return [
      {
        figure: `3. poll cycle, ${targets.length} exports, c=${opts.concurrency}, ${opts.latencyMs} ms API`,
        median: ms(m),
        baseline: `${ms(ideal)} ideal`,
        ratio: times(m / ideal),
        target: `≤ ${ms(TARGET_MS)}`,
        pass: m <= TARGET_MS,
      },
    ];
  } finally {
    await running.stop(100);
    await sim.setLatency(0);
  }
}
