import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';

let sim: Simulator | undefined;
let running: Running | undefined;

const stuck = target({ serverId: 'stuck' });

async function boot(clock: FakeClock, storagePath: string | undefined, logger = silentLogger): Promise<Running> {
  running = stopAfterTest(
    await startExporter({
      config: config([account(sim!.url)], [stuck]),
      logger,
      listen: { host: '127.0.0.1', port: 0 },
      now: clock.now,
      defaultMetrics: false,
      storagePath,
    }),
  );
  await running.exporter.runner.idle();
  return running;
}

const lastProgress = async (r: Running) =>
  /clouddc_log_export_last_progress_timestamp_seconds\{[^}]*\} (\S+)/.exec(await (await fetch(`${r.url}/metrics`)).text())?.[1];

/** The simulator with one export that stalls at 45 %, started a minute before the clock's now. */
async function startStuckExport(clock: FakeClock): Promise<void> {
  sim = stopAfterTest(
    await startSimulator({
      token: TOKEN,
      now: clock.now,
      exports: [
        {
          projectId: PROJECT,
          serverId: 'stuck',
          exportId: '1',
          behaviour: { kind: 'progress', startedAt: clock.ms - 60_000, durationMs: 100_000, stallAtPercent: 45 },
        },
      ],
    }),
  );
}

describe('--storage.path', () => {
  it('keeps the last-progress time of a stuck export across a restart', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const t0 = clock.ms;
    await startStuckExport(clock);
    const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'state.json');
    let r = await boot(clock, path);
    const first = await lastProgress(r);
    expect(first).toBe(String(t0 / 1000));
    await r.stop(100);

    clock.advance(30 * 60_000);
    r = await boot(clock, path);
    expect(await lastProgress(r)).toBe(first);
    expect(JSON.parse(readFileSync(path, 'utf8')).exports[`${PROJECT}/stuck/1`].lastProgressAt).toBe(t0 / 1000);
  });

  it('without the flag, a restart counts as progress and nothing is written', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    await startStuckExport(clock);
    let r = await boot(clock, undefined);
    await r.stop(100);
    clock.advance(30 * 60_000);
    r = await boot(clock, undefined);
    expect(await lastProgress(r)).toBe(String(clock.ms / 1000));
  });

  it('logs and ignores a corrupt state file', async () => {
    const clock = new FakeClock();
    sim = stopAfterTest(
      await startSimulator({
        token: TOKEN,
        now: clock.now,
        exports: [{ projectId: PROJECT, serverId: 'stuck', exportId: '1', behaviour: { kind: 'progress', durationMs: 1000 } }],
      }),
    );
    const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'state.json');
    writeFileSync(path, '{"version":1,"exports":{"x":');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const r = await boot(clock, path, logger);
    expect(lines.some((l) => l.includes('state file is corrupt and was ignored'))).toBe(true);
    expect(await lastProgress(r)).toBe(String(clock.ms / 1000));
    expect(existsSync(path) && JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
  });
});
