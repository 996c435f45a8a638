import { afterEach, describe, expect, it, vi } from 'vitest';
import { FleetRunner, type FleetListener } from '../../src/fleet/fleet-runner.js';
import type { FleetSource } from '../../src/fleet/discovery.js';
import type { AccountFleet, ServerDiscoverySettings } from '../../src/domain/fleet.js';
import { account, config, PROJECT } from '../support/config.js';
import { silentLogger } from '../support/factories.js';

function source(ids: () => string[], fail: () => boolean = () => false, health: () => string = () => 'OK'): FleetSource & { calls: number } {
  const s = {
    calls: 0,
    fetchJson<T>(req: { path: string; parse: (t: string) => { ok: true; value: T } | { ok: false; message: string } }) {
      s.calls++;
      if (fail()) return Promise.resolve({ ok: false as const, reason: '503', message: 'HTTP 503', attempts: 1 });
      const body = req.path.includes('/alarms')
        ? { alarms: [], count: 0 }
        : { servers: ids().map((id) => ({ id, name: id, health_state: health(), power_state: 'on', manage_state: 'in-use' })), page_info: {} };
      const parsed = req.parse(JSON.stringify(body));
      return Promise.resolve(
        parsed.ok
          ? { ok: true as const, value: parsed.value, attempts: 1 }
          : { ok: false as const, reason: 'invalid_response', message: parsed.message, attempts: 1 },
      );
    },
  };
  return s;
}

function recorder(): FleetListener & { last: Map<string, AccountFleet>; removed: string[] } {
  const last = new Map<string, AccountFleet>();
  const removed: string[] = [];
  return { last, removed, fleetChanged: (f) => void last.set(f.account, f), fleetRemoved: (a) => void removed.push(a) };
}

const settings = (s: Partial<ServerDiscoverySettings> = {}): ServerDiscoverySettings => ({ intervalMs: 60_000, alarms: true, ...s });

afterEach(() => {
  vi.useRealTimers();
});

describe('FleetRunner', () => {
  it('runs a round at start and one per interval, never two at once', async () => {
    vi.useFakeTimers();
    const src = source(() => ['a', 'b']);
    const listener = recorder();
    const runner = new FleetRunner({ logger: silentLogger, sourceFor: () => src, owns: () => true, listener, clock: () => 0 });
    runner.apply(config([account('http://x', { servers: settings() })], []));
    expect(src.calls).toBe(0);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(src.calls).toBe(2); // ListServers, ListAlarms
    expect(listener.last.get('main')!.servers.size).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(src.calls).toBe(4);
    await runner.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(src.calls).toBe(4);
  });

  it('follows a health change within one interval, on its own schedule', async () => {
    vi.useFakeTimers();
    let health = 'OK';
    const listener = recorder();
    const runner = new FleetRunner({
      logger: silentLogger,
      sourceFor: () =>
        source(
          () => ['a'],
          undefined,
          () => health,
        ),
      owns: () => true,
      listener,
      clock: () => 0,
    });
    runner.apply(config([account('http://x', { servers: settings() })], []));
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    const seen = () => listener.last.get('main')!.servers.get('a')!.server.health;
    expect(seen()).toBe('OK');
    // CloudDC changes its answer just after a round: the next round, one interval after the last, shows it.
    health = 'Critical';
    await vi.advanceTimersByTimeAsync(59_999);
    expect(seen()).toBe('OK');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen()).toBe('Critical');
    health = 'OK';
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen()).toBe('OK');
    await runner.stop();
  });

  it('on reload: keeps the fleet, restarts a changed interval, and forgets an account that stops discovering', async () => {
    vi.useFakeTimers();
    const src = source(() => ['a']);
    const listener = recorder();
    const runner = new FleetRunner({ logger: silentLogger, sourceFor: () => src, owns: () => true, listener, clock: () => 0 });
    runner.apply(config([account('http://x', { servers: settings() })], []));
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    const before = runner.fleets()[0];
    runner.apply(config([account('http://x', { servers: settings({ intervalMs: 10_000 }) })], []));
    expect(runner.fleets()[0]).toBe(before);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(src.calls).toBe(4);
    runner.apply(config([account('http://x')], []));
    expect(runner.fleets()).toHaveLength(0);
    expect(listener.removed).toEqual(['main']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(src.calls).toBe(4);
    await runner.stop();
  });

  it('exports only the servers its shard owns', async () => {
    const listener = recorder();
    const runner = new FleetRunner({
      logger: silentLogger,
      sourceFor: () => source(() => ['a', 'b', 'c']),
      owns: (p, id) => p === PROJECT && id !== 'b',
      listener,
    });
    runner.apply(config([account('http://x', { servers: settings() })], []));
    await runner.runNow();
    expect([...listener.last.get('main')!.servers.keys()]).toEqual(['a', 'c']);
  });

  it('counts failed rounds in a row and keeps what the last good one found', async () => {
    let fail = false;
    const listener = recorder();
    const runner = new FleetRunner({
      logger: silentLogger,
      sourceFor: () =>
        source(
          () => ['a'],
          () => fail,
        ),
      owns: () => true,
      listener,
    });
    runner.apply(config([account('http://x', { servers: settings() })], []));
    await runner.runNow();
    fail = true;
    await runner.runNow();
    const f = listener.last.get('main')!;
    expect(f.lastRoundOk).toBe(false);
    expect(f.failuresInARow).toBe(1);
    expect(f.servers.size).toBe(1);
    // Failed rounds are not rounds that missed a server: it stays however many fail in a row.
    await runner.runNow();
    await runner.runNow();
    const g = listener.last.get('main')!;
    expect(g.failuresInARow).toBe(3);
    expect([...g.servers.values()].map((s) => [s.server.id, s.missed])).toEqual([['a', 0]]);
  });
});
