import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { scriptedFleet, startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { AutoCollectSettings } from '../../src/domain/auto-collect.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger } from '../support/factories.js';

/** A scripted fleet of 20 (servers 3 and 13 go OK → Warning → Critical → OK, one phase each) and exporters on it. */

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const PHASE = 60_000;
export const id = (i: number): string => `5e7f0000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;
/** The two servers of the fleet whose health cycles. */
export const CYCLING = [id(3), id(13)];

export const SETTINGS: AutoCollectSettings = { healthStates: ['Critical'], cooldownMs: 24 * 3_600_000, maxPerHour: 20, dryRun: false };

export interface World {
  readonly sim: Simulator;
  readonly clock: FakeClock;
  readonly dir: string;
  start(opts?: { settings?: Partial<AutoCollectSettings>; shard?: { index: number; total: number }; state?: string | null }): Promise<Running>;
}

export async function world(simOptions: { bundleLogBytes?: number } = {}, phases = 30): Promise<World> {
  const clock = new FakeClock(T0);
  const sim = stopAfterTest(
    await startSimulator({
      token: TOKEN,
      now: clock.now,
      fleet: scriptedFleet({ projectId: PROJECT, count: 20, phaseMs: PHASE, phases }),
      newExportBehaviour: { kind: 'progress', durationMs: 30_000 },
      ...simOptions,
    }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'autocollect-'));
  return {
    sim,
    clock,
    dir,
    async start(opts = {}) {
      const autoCollect = { ...SETTINGS, ...opts.settings };
      const state = opts.state === undefined ? join(dir, 'state.json') : opts.state;
      const running = stopAfterTest(
        await startExporter({
          config: { ...config([account(sim.url, { servers: { intervalMs: 3_600_000, alarms: true } })], []), autoCollect },
          logger: silentLogger,
          listen: { host: '127.0.0.1', port: 0 },
          now: clock.now,
          durationClock: () => 0,
          defaultMetrics: false,
          ...(state !== null && { storagePath: state }),
          ...(opts.shard && { shard: opts.shard }),
        }),
      );
      await settle(running);
      return running;
    },
  };
}

/** Waits for the discovery round in flight and every decision it led to. */
export async function settle(running: Running): Promise<void> {
  await running.exporter.fleet.idle();
  await running.exporter.collector.idle();
}

/** A discovery round now, and its decisions. */
export async function round(running: Running): Promise<void> {
  await running.exporter.fleet.runNow();
  await running.exporter.collector.idle();
}

export async function scrape(running: Running): Promise<string> {
  const res = await fetch(`${running.url}/metrics`);
  return res.text();
}

export function counter(text: string, result: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`clouddc_exporter_auto_collect_total{account="main",result="${result}"}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export function starts(sim: Simulator): number {
  return sim.requests.filter((r) => r.op === 'start').length;
}
