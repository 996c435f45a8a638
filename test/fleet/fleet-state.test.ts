import { describe, expect, it } from 'vitest';
import { applyRound, emptyFleet } from '../../src/fleet/fleet-state.js';
import type { DiscoveredServer } from '../../src/domain/fleet.js';
import { discoveredServer } from '../support/factories.js';

function server(id: string, health: DiscoveredServer['health'] = 'OK'): DiscoveredServer {
  return discoveredServer(id, { health });
}

describe('applyRound', () => {
  it('replaces the servers on success, with zero alarms for a server without any', () => {
    const f = applyRound(
      emptyFleet('a', 'p'),
      { ok: true, servers: [server('x'), server('y')], alarms: new Map([['x', { urgent: 2, important: 0, minor: 0, info: 1 }]]) },
      100,
      2,
    );
    expect(f.servers.get('x')!.alarms).toEqual({ urgent: 2, important: 0, minor: 0, info: 1 });
    expect(f.servers.get('y')!.alarms).toEqual({ urgent: 0, important: 0, minor: 0, info: 0 });
    expect(f).toMatchObject({ lastSuccessAt: 100, lastDurationSeconds: 2, lastRoundOk: true, failuresInARow: 0 });
  });

  it('keeps everything after a failure, counting failures in a row', () => {
    const good = applyRound(emptyFleet('a', 'p'), { ok: true, servers: [server('x')], alarms: undefined }, 100, 1);
    const bad = applyRound(applyRound(good, { ok: false, message: 'm' }, 200, 3), { ok: false, message: 'n' }, 300, 4);
    expect(bad.servers).toBe(good.servers);
    expect(bad).toMatchObject({ lastSuccessAt: 100, lastRoundOk: false, lastError: 'n', failuresInARow: 2, lastDurationSeconds: 4 });
    const again = applyRound(bad, { ok: true, servers: [server('x', 'Critical')], alarms: undefined }, 400, 1);
    expect(again).toMatchObject({ lastRoundOk: true, lastError: undefined, failuresInARow: 0 });
    expect(again.servers.get('x')!.server.health).toBe('Critical');
  });

  it('keeps a server missing from one round, drops it after the second, and keeps the first of a duplicated id', () => {
    const one = applyRound(emptyFleet('a', 'p'), { ok: true, servers: [server('x'), server('y'), server('y', 'Critical')], alarms: undefined }, 1, 0);
    expect(one.servers.get('y')!.server.health).toBe('OK');
    const two = applyRound(one, { ok: true, servers: [server('x')], alarms: undefined }, 2, 0);
    expect(two.servers.get('y')!.missed).toBe(1);
    // A failed round in between does not count as a miss.
    const failed = applyRound(two, { ok: false, message: 'm' }, 3, 0);
    expect(failed.servers.has('y')).toBe(true);
    const three = applyRound(failed, { ok: true, servers: [server('x')], alarms: undefined }, 4, 0);
    expect(three.servers.has('y')).toBe(false);
    const back = applyRound(two, { ok: true, servers: [server('x'), server('y')], alarms: undefined }, 4, 0);
    expect(back.servers.get('y')!.missed).toBe(0);
  });
});
