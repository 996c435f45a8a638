import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter } from '../../src/runtime/start.js';
import { familyFilter } from '../../src/domain/family-filter.js';
import { scriptedFleet, startSimulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';

async function families(allow: string | undefined, deny: string | undefined): Promise<{ served: Set<string>; text: string }> {
  const sim = stopAfterTest(
    await startSimulator({
      token: TOKEN,
      exports: [{ projectId: PROJECT, serverId: 's1', exportId: '1', behaviour: { kind: 'progress', durationMs: 60_000 } }],
      fleet: scriptedFleet({ projectId: PROJECT, count: 5 }),
    }),
  );
  const filter = familyFilter(allow, deny);
  if (!filter.ok || filter.value === undefined) throw new Error('expected a filter');
  const running = stopAfterTest(
    await startExporter({
      config: config([account(sim.url, { servers: { intervalMs: 3_600_000, alarms: true } })], [target({ serverId: 's1', exportId: '1' })]),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      familyFilter: filter.value,
    }),
  );
  await running.exporter.pollOnce();
  await running.exporter.fleet.idle();
  const text = await (await fetch(`${running.url}/metrics`)).text();
  return { served: new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!)), text };
}

describe('--metric-allowlist / --metric-denylist on a running exporter', () => {
  it('a denylist drops exactly the families it matches: per-server, per-export, exporter and default ones alike', async () => {
    const { served, text } = await families(undefined, 'clouddc_server_power_state,clouddc_log_export_age_seconds,clouddc_api_.*,process_.*');
    for (const gone of [
      'clouddc_server_power_state',
      'clouddc_log_export_age_seconds',
      'clouddc_api_requests_total',
      'clouddc_api_rate_limit',
      'process_cpu_seconds_total',
    ]) {
      expect(served.has(gone), gone).toBe(false);
    }
    expect(text).not.toContain('clouddc_server_power_state{');
    for (const kept of [
      'clouddc_server_info',
      'clouddc_server_health_state',
      'clouddc_log_export_status',
      'clouddc_exporter_build_info',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(served.has(kept), kept).toBe(true);
    }
    expect(text).toMatch(/^clouddc_server_health_state\{.*state="OK"\} 1$/m);
  });

  it('an allowlist keeps only what it matches', async () => {
    const { served } = await families('clouddc_server_.*,clouddc_log_export_status', undefined);
    expect([...served].sort()).toEqual([
      'clouddc_log_export_status',
      'clouddc_server_active_alarms',
      'clouddc_server_health_state',
      'clouddc_server_info',
      'clouddc_server_power_state',
    ]);
  });
});
