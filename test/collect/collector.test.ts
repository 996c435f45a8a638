import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/collect/collector.js';
import { parseLedger } from '../../src/collect/ledger.js';
import type { AutoCollectResult } from '../../src/domain/auto-collect.js';
import type { AccountFleet } from '../../src/domain/fleet.js';
import { discoveredServer, silentLogger } from '../support/factories.js';

function collector(counted: Array<[string, AutoCollectResult]>): Collector {
  return new Collector({
    logger: silentLogger,
    settings: () => ({ healthStates: ['Critical'], cooldownMs: 3_600_000, maxPerHour: 20, dryRun: false }),
    starterFor: () => undefined,
    persist: () => Promise.resolve(true),
    targetsChanged: () => undefined,
    count: (account, result) => counted.push([account, result]),
    now: () => 2_000_000_000,
    signal: new AbortController().signal,
  });
}

const record = {
  account: 'main',
  projectId: 'p',
  serverId: 's',
  serverName: 'bm-1',
  matching: true,
  alarms: 0,
  actedAt: 1_999_999_000,
  trigger: 'health_state=Critical',
};

describe('Collector.restore', () => {
  it('tracks the exports it started before the restart', () => {
    const c = collector([]);
    expect(c.restore({ servers: { 'p/s': { ...record, result: 'started', exportId: '42' } }, calls: { main: [1_999_999_000] } })).toBe(1);
    expect(c.targets()).toEqual([
      { projectId: 'p', serverId: 's', exportId: '42', account: 'main', name: 'bm-1', labels: {}, origin: { trigger: 'health_state=Critical' } },
    ]);
    expect(c.snapshot()?.calls).toEqual({ main: [1_999_999_000] });
  });

  it('turns a start cut off by a stop into a failure that may have started an export: counted, never repeated', () => {
    const counted: Array<[string, AutoCollectResult]> = [];
    const c = collector(counted);
    c.restore({ servers: { 'p/s': { ...record, result: 'starting', attempts: 1 } }, calls: {} });
    expect(counted).toEqual([['main', 'failed']]);
    expect([...c.records()][0]).toMatchObject({ result: 'failed', maybeStarted: true });
    expect(c.view()?.recent[0]?.detail).toMatch(/stopped during ExportServerLogs: an export may have been started/);
  });

  it('refuses a malformed section as a whole', () => {
    expect(collector([]).restore({ servers: { 'p/s': { ...record, matching: 'yes' } }, calls: {} })).toMatch(/malformed/);
    expect(parseLedger([])).toBe('"auto_collect" is not an object');
    expect(parseLedger({ servers: {}, calls: { main: ['x'] } })).toMatch(/calls of "main" are malformed/);
  });
});

describe('Collector rounds', () => {
  function fleet(serverId: string): AccountFleet {
    const server = discoveredServer(serverId, { name: 'bm-1', health: 'Critical' });
    return {
      account: 'main',
      projectId: 'p',
      servers: new Map([[serverId, { server, alarms: undefined, missed: 0 }]]),
      lastSuccessAt: 2_000_000_000,
      lastDurationSeconds: 1,
      lastRoundOk: true,
      lastError: undefined,
      failuresInARow: 0,
    };
  }

  it('starts nothing for a listed server whose id no request can address, counts it once and never retries it', async () => {
    const counted: Array<[string, AutoCollectResult]> = [];
    const started: string[] = [];
    const c = new Collector({
      logger: silentLogger,
      settings: () => ({ healthStates: ['Critical'], cooldownMs: 3_600_000, maxPerHour: 20, dryRun: false }),
      starterFor: () => ({ start: (id) => (started.push(id), Promise.reject(new Error('must not be called'))) }),
      persist: () => Promise.resolve(true),
      targetsChanged: () => undefined,
      count: (account, result) => counted.push([account, result]),
      now: () => 2_000_000_000_000,
      signal: new AbortController().signal,
    });
    for (let round = 0; round < 4; round++) c.fleetChanged(fleet('rack-1/bm-1'));
    await c.idle();
    expect(started).toEqual([]);
    expect(counted).toEqual([['main', 'failed']]);
    expect(c.view()?.recent[0]?.detail).toMatch(/must not contain "\/".*nothing was started/);
  });
});
