import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { scriptedFleet, startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ServerDiscoverySettings } from '../../src/domain/fleet.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger } from '../support/factories.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const PHASE = 60_000;

async function world(
  count: number,
  servers: Partial<ServerDiscoverySettings> = {},
  shard?: { index: number; total: number },
  retries = 0,
): Promise<{ sim: Simulator; running: Running; clock: FakeClock }> {
  const clock = new FakeClock(T0);
  const sim = stopAfterTest(await startSimulator({ token: TOKEN, now: clock.now, fleet: scriptedFleet({ projectId: PROJECT, count, phaseMs: PHASE }) }));
  const settings: ServerDiscoverySettings = { intervalMs: 3_600_000, alarms: true, ...servers };
  const running = stopAfterTest(
    await startExporter({
      config: config([account(sim.url, { servers: settings })], [], { retries }),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      now: clock.now,
      durationClock: () => 0,
      defaultMetrics: false,
      ...(shard && { shard }),
    }),
  );
  await running.exporter.fleet.idle();
  return { sim, running, clock };
}

async function scrape(running: Running): Promise<string> {
  const res = await fetch(`${running.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function lines(text: string, family: string, state = ''): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${family}{`) && l.includes(state));
}

function valueOf(text: string, family: string, serverId: string, extra: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${family}{`) && l.includes(`server_id="${serverId}"`) && l.includes(extra));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const id = (i: number): string => `5e7f0000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;

describe('server discovery against the simulator', () => {
  it('pages to the end and shows every server with health, power and alarms', async () => {
    const { running, sim } = await world(2500);
    const text = await scrape(running);
    expect(lines(text, 'clouddc_server_info')).toHaveLength(2500);
    expect(lines(text, 'clouddc_server_health_state', '} 1')).toHaveLength(2500);
    expect(lines(text, 'clouddc_server_power_state', 'state="off"} 1')).toHaveLength(100);
    // 3 pages of servers (limit 1000), then the alarms.
    expect(sim.requests.filter((r) => r.op === 'servers')).toHaveLength(3);
    expect(sim.requests.filter((r) => r.op === 'alarms').length).toBeGreaterThan(0);
    expect(valueOf(text, 'clouddc_server_health_state', id(7), 'state="other"')).toBe(1);
    expect(valueOf(text, 'clouddc_server_active_alarms', id(5), 'level="minor"')).toBe(1);
    expect(text).toContain(`clouddc_server_info{account="main",project_id="${PROJECT}",server_id="${id(0)}",name="bm-east-r001-u01",sn="2102313000000"`);
    expect(text).toContain('clouddc_exporter_server_discovery_success{account="main"} 1');
    expect(text).toContain(`clouddc_exporter_server_discovery_last_success_timestamp_seconds{account="main"} ${T0 / 1000}`);
    expect(text).toContain('clouddc_exporter_servers{account="main"} 2500');
  });

  it('follows health changes round by round, alarms with them', async () => {
    const { running, clock } = await world(20);
    const health = async (): Promise<number | undefined> => valueOf(await scrape(running), 'clouddc_server_health_state', id(3), 'state="Critical"');
    expect(await health()).toBe(0);
    clock.advance(2 * PHASE);
    await running.exporter.fleet.runNow();
    expect(await health()).toBe(1);
    expect(valueOf(await scrape(running), 'clouddc_server_active_alarms', id(3), 'level="urgent"')).toBe(1);
    clock.advance(PHASE);
    await running.exporter.fleet.runNow();
    expect(await health()).toBe(0);
    expect(valueOf(await scrape(running), 'clouddc_server_active_alarms', id(3), 'level="urgent"')).toBe(0);
  });

  it('keeps the last good answer through failed rounds and says so', async () => {
    const { running, sim, clock } = await world(20);
    sim.fleet.setFault('servers', { behaviour: { kind: 'error', status: 500 } });
    clock.advance(2 * PHASE);
    await running.exporter.fleet.runNow();
    const text = await scrape(running);
    expect(lines(text, 'clouddc_server_info')).toHaveLength(20);
    // Still the first round's health: the failed round changed nothing.
    expect(valueOf(text, 'clouddc_server_health_state', id(3), 'state="OK"')).toBe(1);
    expect(text).toContain('clouddc_exporter_server_discovery_success{account="main"} 0');
    expect(text).toContain(`clouddc_exporter_server_discovery_last_success_timestamp_seconds{account="main"} ${T0 / 1000}`);
    // The same error counters as polls.
    expect(text).toMatch(/clouddc_api_requests_total\{account="main",code="500"\} [1-9]/);
    expect(running.exporter.fleet.fleets()[0]!.lastError).toMatch(/^ListServers: HTTP 500/);
    // Two more failed rounds: a server is dropped after two successful rounds without it, never after failed ones.
    await running.exporter.fleet.runNow();
    await running.exporter.fleet.runNow();
    const later = await scrape(running);
    expect(lines(later, 'clouddc_server_info')).toHaveLength(20);
    expect(valueOf(later, 'clouddc_server_health_state', id(3), 'state="OK"')).toBe(1);
    expect(running.exporter.fleet.fleets()[0]!.failuresInARow).toBe(3);
    sim.fleet.setFault('servers', undefined);
    await running.exporter.fleet.runNow();
    const after = await scrape(running);
    expect(after).toContain('clouddc_exporter_server_discovery_success{account="main"} 1');
    expect(valueOf(after, 'clouddc_server_health_state', id(3), 'state="Critical"')).toBe(1);
  });

  it('retries a failed page like a poll, and a failing ListAlarms fails the round', async () => {
    const { running, sim } = await world(20, {}, undefined, 1);
    sim.fleet.queueFaults('servers', [{ behaviour: { kind: 'error', status: 503 } }]);
    await running.exporter.fleet.runNow();
    expect(running.exporter.fleet.fleets()[0]!.lastRoundOk).toBe(true);
    sim.fleet.setFault('alarms', { behaviour: { kind: 'malformed', body: '{"alarms": 3}' } });
    await running.exporter.fleet.runNow();
    expect(running.exporter.fleet.fleets()[0]!.lastError).toMatch(/^ListAlarms: invalid response/);
  });

  it('drops a server missing from two rounds in a row, not one', async () => {
    const { running, sim } = await world(12);
    const fleet = scriptedFleet({ projectId: PROJECT, count: 12, phaseMs: PHASE });
    sim.fleet.set({ ...fleet, servers: fleet.servers.filter((s) => s.id !== id(2)) });
    await running.exporter.fleet.runNow();
    expect(valueOf(await scrape(running), 'clouddc_server_info', id(2), '')).toBe(1);
    await running.exporter.fleet.runNow();
    expect(valueOf(await scrape(running), 'clouddc_server_info', id(2), '')).toBeUndefined();
    expect(lines(await scrape(running), 'clouddc_server_info')).toHaveLength(11);
  });

  it('passes manage_state and leaves out alarms when told to', async () => {
    const { running, sim } = await world(80, { manageState: 'ready', alarms: false });
    const text = await scrape(running);
    expect(lines(text, 'clouddc_server_info')).toHaveLength(2);
    expect(lines(text, 'clouddc_server_active_alarms')).toHaveLength(0);
    expect(sim.requests.some((r) => r.op === 'alarms')).toBe(false);
    expect(sim.requests.find((r) => r.op === 'servers')!.path).toContain('manage_state=ready');
  });

  it('splits servers across shards: each server on exactly one', async () => {
    const seen: string[] = [];
    for (const index of [0, 1, 2]) {
      const { running } = await world(300, {}, { index, total: 3 });
      const ids = lines(await scrape(running), 'clouddc_server_info').map((l) => /server_id="([^"]+)"/.exec(l)![1]!);
      expect(ids.length).toBeGreaterThan(50);
      seen.push(...ids);
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
  });
});
