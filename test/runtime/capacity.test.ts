import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { capacityWarnings } from '../../src/runtime/capacity-report.js';
import { startSimulator } from '../../src/simulator/index.js';
import { captureLogger } from '../clouddc/harness.js';
import { stopAfterTest } from '../support/cleanup.js';
import { startFromConfigFile } from '../support/from-file.js';
import { PROJECT, TOKEN } from '../support/config.js';
import { yamlConfig } from '../support/yaml-config.js';

const progress = { kind: 'progress', durationMs: 1_000_000 } as const;

/** Three exports polled every 5 s at `rps` requests/s: 0.1 needs 30 s per cycle. */
function configText(endpoint: string, rps: number): string {
  return yamlConfig(
    endpoint,
    ['a', 'b', 'c'].map((server) => ({ server, id: '1' })),
    { token: TOKEN },
  )
    .replace('schedule: "0 0 1 1 *"', 'schedule: "*/5 * * * * *"')
    .replace('requests_per_second: 10000, burst: 10000', `requests_per_second: ${rps}, burst: 20`);
}

describe('a schedule that cannot be met', () => {
  it('is logged once per load, exported per account and shown on the status page; a reload recomputes it', async () => {
    const sim = stopAfterTest(
      await startSimulator({ token: TOKEN, exports: ['a', 'b', 'c'].map((s) => ({ projectId: PROJECT, serverId: s, exportId: '1', behaviour: progress })) }),
    );
    const path = join(mkdtempSync(join(tmpdir(), 'capacity-')), 'config.yaml');
    writeFileSync(path, configText(sim.url, 0.1));
    const { logger, lines } = captureLogger();
    const running = await startFromConfigFile(path, { logger, listen: { host: '127.0.0.1', port: 0 }, defaultMetrics: false });
    const warnings = () => lines().filter((l) => String(l.msg).startsWith('poll schedule cannot be met'));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ account: 'main', exports: 3, requestsPerSecond: 0.1, minCycleSeconds: 30, intervalSeconds: 5 });
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('clouddc_exporter_poll_cycle_min_duration_seconds{account="main"} 30');
    const page = await (await fetch(`${running.url}/`)).text();
    expect(page).toContain(
      '<p class="banner" role="alert"><b>Poll schedule cannot be met.</b> account &quot;main&quot;: 3 exports at rate_limit 0.1 requests/s',
    );

    writeFileSync(path, configText(sim.url, 10));
    await running.reloader!.reload('test');
    expect(warnings()).toHaveLength(1);
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('clouddc_exporter_poll_cycle_min_duration_seconds{account="main"} 0.3');
    expect(await (await fetch(`${running.url}/`)).text()).not.toContain('class="banner"');

    writeFileSync(path, configText(sim.url, 0.5));
    await running.reloader!.reload('test');
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatchObject({ minCycleSeconds: 6 });
  });
});

describe('capacityWarnings (--config.check)', () => {
  it('judges a sharded config by each account’s busiest shard', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capacity-')), 'config.yaml');
    // 30 exports every 5 s at 2 requests/s: 15 s unsharded; about a third of that on each of 3 shards.
    const exports = Array.from({ length: 30 }, (_, i) => ({ server: `s${i}`, id: '1' }));
    writeFileSync(
      path,
      yamlConfig('http://127.0.0.1:9', exports)
        .replace('schedule: "0 0 1 1 *"', 'schedule: "*/5 * * * * *"')
        .replace('requests_per_second: 10000, burst: 10000', 'requests_per_second: 2'),
    );
    const loaded = await loadConfigFile(path);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(capacityWarnings(loaded.value)).toEqual([expect.stringMatching(/^account "main": 30 exports at rate_limit 2 requests\/s need at least 15 s/)]);
    const sharded = capacityWarnings(loaded.value, 3);
    expect(sharded).toHaveLength(1);
    const m = /^account "main" \(shard \d of 3: its share of the exports and of the rate\): (\d+) exports at rate_limit 0.67 requests\/s/.exec(sharded[0]!);
    // Shards divide the rate as well as the exports, so sharding alone never fixes it; an uneven split makes it worse.
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(10);
  });
});
