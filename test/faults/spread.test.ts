import { describe, expect, it } from 'vitest';
import { startExporter } from '../../src/runtime/start.js';
import { startSimulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';
import { onCleanup, value, watchProcess } from './harness.js';

/**
 * Found by the soak: a spread cycle's workers all wait on the exporter's one abort signal, so with
 * poll.concurrency above 10 Node printed MaxListenersExceededWarning on the first scheduled cycle.
 */

watchProcess();

describe('scheduled, spread cycles with many workers', () => {
  it('print no warning', async () => {
    const targets = Array.from({ length: 120 }, (_, i) => target({ serverId: `spread-${i}`, exportId: '1' }));
    const sim = await startSimulator({
      token: TOKEN,
      exports: targets.map((t) => ({ ...t, projectId: PROJECT, behaviour: { kind: 'progress', durationMs: 24 * 3600_000 } as const })),
    });
    onCleanup(() => sim.close());
    const running = await startExporter({
      config: config([account(sim.url)], targets, { schedule: '* * * * * *', spread: true, concurrency: 64, timeoutMs: 2000 }),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      defaultMetrics: false,
    });
    onCleanup(() => running.stop(100));
    // The start-up cycle (not spread) and at least one scheduled, spread one.
    const deadline = Date.now() + 8000;
    let cycles = 0;
    while (cycles < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      cycles = value(await running.exporter.metricsText(), 'clouddc_exporter_poll_cycles_total') ?? 0;
    }
    expect(cycles).toBeGreaterThanOrEqual(3);
    // watchProcess checks that no warning was emitted.
  });
});
