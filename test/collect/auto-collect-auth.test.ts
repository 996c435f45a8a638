import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startExporter } from '../../src/runtime/start.js';
import { scriptedFleet } from '../../src/simulator/index.js';
import { stopAfterTest } from '../support/cleanup.js';
import { config } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { akskAccount, passwordAccount, PROJECT, startWorld } from '../support/auth-world.js';
import { CYCLING, PHASE, round, SETTINGS, starts } from './world.js';

/** Automatic collection signs its calls with the account's own authenticator: the polls' token, keys and clock. */

async function setup(kind: 'password' | 'aksk') {
  const w = stopAfterTest(
    await startWorld({
      tokenLifetimeMs: 24 * 3_600_000,
      sim: {
        fleet: scriptedFleet({ projectId: PROJECT, count: 20, phaseMs: PHASE, phases: 30 }),
        newExportBehaviour: { kind: 'progress', durationMs: 30_000 },
      },
    }),
  );
  const base = kind === 'password' ? passwordAccount(w, 'main', 3_600_000) : akskAccount(w, 'main');
  const running = stopAfterTest(
    await startExporter({
      config: { ...config([{ ...base, servers: { intervalMs: 3_600_000, alarms: true } }], []), autoCollect: SETTINGS },
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      now: w.clock.now,
      durationClock: () => 0,
      defaultMetrics: false,
      storagePath: join(w.dir, 'state.json'),
    }),
  );
  await running.exporter.fleet.idle();
  await running.exporter.collector.idle();
  return { w, running };
}

describe('auto_collect signs in as the account does', () => {
  it('starts with the IAM token the account already holds: one token for discovery, starts and polls', async () => {
    const { w, running } = await setup('password');
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(w.sim.startedExports.map((k) => k.serverId).sort()).toEqual([...CYCLING].sort());
    await running.exporter.runner.idle();
    expect(w.iam.issued).toHaveLength(1);
  });

  it("signs AK/SK starts with the exporter's clock, so the gateway accepts them", async () => {
    const { w, running } = await setup('aksk');
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(starts(w.sim)).toBe(2);
    expect(w.sim.startedExports).toHaveLength(2);
  });
});
