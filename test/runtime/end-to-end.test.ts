import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import type { ExportTarget } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { scriptedFleet, startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';
import { expectGolden } from '../support/golden.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** One export per response shape the docs allow, and one per failure kind. */
const SCENARIOS: Array<[string, Behaviour]> = [
  [
    'running-percent',
    { kind: 'progress', startedAt: T0 - 30_000, durationMs: 100_000, spelling: { processing: 'Running', completed: 'COMPLETED' }, percentShape: 'percent' },
  ],
  ['number', { kind: 'progress', startedAt: T0 - 45_000, durationMs: 100_000, percentShape: 'number', createdAtStyle: 'offset' }],
  ['string', { kind: 'progress', startedAt: T0 - 60_000, durationMs: 100_000, percentShape: 'string' }],
  ['float-string', { kind: 'progress', startedAt: T0 - 30_500, durationMs: 100_000, percentShape: 'float-string' }],
  ['completed-upper', { kind: 'progress', startedAt: T0 - 200_000, durationMs: 100_000, spelling: { completed: 'COMPLETED' } }],
  ['failed', { kind: 'progress', startedAt: T0 - 90_000, durationMs: 100_000, failAtPercent: 60 }],
  ['unknown-status', { kind: 'fixed', body: { export_id: 'x', status: 'Queued', percentage: '0%', created_at: '2026-01-01T11:00:00Z' } }],
  ['over-100', { kind: 'fixed', body: { export_id: 'x', status: 'processing', percentage: '130%', created_at: '2026-01-01T11:00:00+08:00' } }],
  ['e401', { kind: 'error', status: 401 }],
  ['e429', { kind: 'error', status: 429, retryAfter: '1' }],
  ['e500', { kind: 'error', status: 500 }],
  ['e404', { kind: 'error', status: 404 }],
  ['malformed', { kind: 'malformed', body: '<html>oops' }],
  ['wrong-shape', { kind: 'fixed', body: { status: 'processing' } }],
];

let sim: Simulator | undefined;
let running: Running | undefined;

async function setup(): Promise<{ clock: FakeClock; targets: ExportTarget[] }> {
  const clock = new FakeClock(T0);
  const targets = SCENARIOS.map(([name], i) => target({ serverId: `srv-${name}`, exportId: String(100 + i), name }));
  sim = stopAfterTest(
    await startSimulator({
      token: TOKEN,
      now: clock.now,
      exports: SCENARIOS.map(([, behaviour], i) => ({ projectId: PROJECT, serverId: targets[i]!.serverId, exportId: targets[i]!.exportId, behaviour })),
      // Discovered servers, two of them with exports: one Degraded (health "other"), one with a minor alarm.
      fleet: scriptedFleet({ projectId: PROJECT, count: 8, ids: ['srv-number', 'srv-failed'] }),
    }),
  );
  running = stopAfterTest(
    await startExporter({
      config: config([account(sim.url, { servers: { intervalMs: 3_600_000, alarms: true } })], targets),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      now: clock.now,
      durationClock: () => 0,
      defaultMetrics: false,
    }),
  );
  await running.exporter.runner.idle();
  await running.exporter.fleet.idle();
  return { clock, targets };
}

async function scrape(): Promise<string> {
  const res = await fetch(`${running!.url}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
  expect(res.status).toBe(200);
  return res.text();
}

function value(text: string, family: string, serverId: string, extra = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${family}{`) && l.includes(`server_id="${serverId}"`) && l.includes(extra));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('exporter against the simulator', () => {
  it('serves the whole exposition for every response shape (golden)', async () => {
    await setup();
    // build_info carries the Node.js version; CI runs the suite on Node 20 and 24.
    const text = (await scrape()).replace(`nodejs_version="${process.version}"`, 'nodejs_version="vNODE"');
    expectGolden(text, fileURLToPath(new URL('./golden/metrics.prom', import.meta.url)));
  });

  it('maps every response shape to the right values', async () => {
    await setup();
    const text = await scrape();
    const status = (s: string, st: string) => value(text, 'clouddc_log_export_status', `srv-${s}`, `status="${st}"`);
    expect(value(text, 'clouddc_log_export_percentage', 'srv-running-percent')).toBe(30);
    expect(status('running-percent', 'processing')).toBe(1);
    expect(value(text, 'clouddc_log_export_percentage', 'srv-number')).toBe(45);
    expect(value(text, 'clouddc_log_export_percentage', 'srv-string')).toBe(60);
    expect(value(text, 'clouddc_log_export_percentage', 'srv-float-string')).toBe(30.5);
    expect(status('completed-upper', 'completed')).toBe(1);
    expect(value(text, 'clouddc_log_export_completed_timestamp_seconds', 'srv-completed-upper')).toBe(T0 / 1000);
    expect(status('failed', 'failed')).toBe(1);
    expect(status('unknown-status', 'unknown')).toBe(1);
    expect(value(text, 'clouddc_log_export_percentage', 'srv-over-100')).toBe(100);
    // 11:00 at +08:00 is 03:00Z, nine hours before T0.
    expect(value(text, 'clouddc_log_export_age_seconds', 'srv-over-100')).toBe(9 * 3600);
    for (const [name, code] of <Array<[string, string]>>[
      ['e401', '401'],
      ['e429', '429'],
      ['e500', '500'],
      ['e404', '404'],
      ['malformed', 'invalid_response'],
      ['wrong-shape', 'invalid_response'],
    ]) {
      expect(value(text, 'clouddc_log_export_api_errors_total', `srv-${name}`, `code="${code}"`)).toBe(1);
      expect(value(text, 'clouddc_log_export_poll_success', `srv-${name}`)).toBe(0);
      expect(value(text, 'clouddc_log_export_percentage', `srv-${name}`)).toBeUndefined();
      expect(status(name, 'unknown')).toBeUndefined();
    }
    // Ten polls answered 200, and one discovery round: ListServers and ListAlarms, one page each.
    expect(text).toContain('clouddc_api_requests_total{account="main",code="200"} 12');
    expect(text).toContain('clouddc_exporter_tracked_exports 14');
  });

  it('moves percentage and last progress with time and stops polling completed exports', async () => {
    const { clock } = await setup();
    clock.advance(20_000);
    sim!.clearRequests();
    await running!.exporter.pollOnce();
    const text = await scrape();
    expect(value(text, 'clouddc_log_export_percentage', 'srv-running-percent')).toBe(50);
    expect(value(text, 'clouddc_log_export_last_progress_timestamp_seconds', 'srv-running-percent')).toBe((T0 + 20_000) / 1000);
    expect(value(text, 'clouddc_log_export_last_progress_timestamp_seconds', 'srv-unknown-status')).toBe(T0 / 1000);
    expect(value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', 'srv-unknown-status')).toBe((T0 + 20_000) / 1000);
    expect(sim!.requests.some((r) => r.path.includes('srv-completed-upper'))).toBe(false);
    expect(sim!.requests.length).toBe(13);
  });
});
