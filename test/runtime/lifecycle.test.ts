import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';

let sim: Simulator | undefined;
let running: Running | undefined;

const HOUR = 3600_000;

describe('export lifecycle', () => {
  it('retires completed exports after retention.completed, 404s after retention.not_found, failed after retention.failed', async () => {
    const clock = new FakeClock();
    sim = stopAfterTest(
      await startSimulator({
        token: TOKEN,
        now: clock.now,
        exports: [
          { projectId: PROJECT, serverId: 'done', exportId: '1', behaviour: { kind: 'progress', startedAt: clock.ms - 10_000, durationMs: 1000 } },
          { projectId: PROJECT, serverId: 'busy', exportId: '1', behaviour: { kind: 'progress', startedAt: clock.ms, durationMs: 100 * HOUR } },
          {
            projectId: PROJECT,
            serverId: 'broke',
            exportId: '1',
            behaviour: { kind: 'progress', startedAt: clock.ms - 10_000, durationMs: 1000, failAtPercent: 50 },
          },
        ],
      }),
    );
    const targets = ['done', 'busy', 'gone', 'broke'].map((s) => target({ serverId: s }));
    const cfg = { ...config([account(sim.url)], targets), retention: { completedMs: 2 * HOUR, notFoundMs: HOUR, failedMs: 3 * HOUR } };
    running = stopAfterTest(
      await startExporter({ config: cfg, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, now: clock.now, defaultMetrics: false }),
    );
    await running.exporter.runner.idle();
    const scrape = async () => (await fetch(`${running!.url}/metrics`)).text();
    expect(await scrape()).toMatch(/server_id="gone",export_id="1",code="404"\} 1/);

    clock.advance(HOUR);
    sim.clearRequests();
    await running.exporter.pollOnce();
    let text = await scrape();
    expect(text).not.toContain('server_id="gone"');
    expect(text).toContain('server_id="done"');
    // Completed "done" is not asked again; "busy" and "gone" are (in flight together, so in either order).
    expect(sim.requests.map((r) => r.path.split('/')[4]).sort()).toEqual(['broke', 'busy', 'gone']);

    clock.advance(HOUR);
    sim.clearRequests();
    await running.exporter.pollOnce();
    text = await scrape();
    expect(text).not.toContain('server_id="done"');
    expect(text).toContain('server_id="busy"');
    expect(sim.requests.map((r) => r.path.split('/')[4]).sort()).toEqual(['broke', 'busy']);
    expect(running.exporter.store.get(`${PROJECT}/done/1`)?.retired?.reason).toBe('completed');

    // Failed for retention.failed (3 h): retired like a completed one, no series, no polls.
    clock.advance(HOUR);
    sim.clearRequests();
    await running.exporter.pollOnce();
    text = await scrape();
    expect(text).not.toContain('server_id="broke"');
    expect(running.exporter.store.get(`${PROJECT}/broke/1`)?.retired?.reason).toBe('failed');
    sim.clearRequests();
    await running.exporter.pollOnce();
    expect(sim.requests.map((r) => r.path.split('/')[4])).toEqual(['busy']);

    // Removed from the file and added back: tracked afresh.
    await running.exporter.applyConfig({ ...cfg, exports: targets.slice(1) });
    await running.exporter.applyConfig(cfg);
    expect(running.exporter.store.get(`${PROJECT}/done/1`)?.retired).toBeUndefined();
  });
});
