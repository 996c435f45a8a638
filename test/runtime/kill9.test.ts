import { watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { parseStateFile, type StateFileV1 } from '../../src/store/state-file.js';
import { runCli, type Cli } from '../support/cli.js';
import { PROJECT, TOKEN } from '../support/config.js';

/**
 * kill -9 in the middle of poll cycles and state-file writes, again and again: the state file is always a
 * complete snapshot (the one before or the one after, never a mix or a torn write), and after each restart
 * the series continue from it.
 */

const EXPORTS = 1000;
const STALLED = 100;
const KILLS = 5;
const FILE = 'state.json';

const serverOf = (i: number) => `srv-${String(i).padStart(5, '0')}`;
const keyOf = (i: number) => `${PROJECT}/${serverOf(i)}/1`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Simulator | undefined;
let cli: Cli | undefined;
let watcher: FSWatcher | undefined;
let dir: string | undefined;
afterEach(async () => {
  watcher?.close();
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  sim = cli = watcher = dir = undefined;
});

function configText(endpoint: string): string {
  const exports = Array.from({ length: EXPORTS }, (_, i) => `  - {server_id: ${serverOf(i)}, export_id: "1"}`).join('\n');
  return `poll:
  schedule: "* * * * * *"
  concurrency: 64
  retries: 0
  timeout: 5s
  spread: false
accounts:
  main:
    endpoint: ${endpoint}
    project_id: ${PROJECT}
    rate_limit: {requests_per_second: 100000, burst: 100000}
    auth: {token: "${TOKEN}"}
exports:
${exports}
`;
}

/** Reads the state file; undefined when it does not exist yet. Fails the test on anything but a complete file. */
async function readState(path: string): Promise<{ text: string; state: StateFileV1 } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
  const state = parseStateFile(text);
  if (typeof state === 'string')
    throw new Error(`state file is not a complete snapshot (${state}): ${text.length} bytes, ends with ${JSON.stringify(text.slice(-80))}`);
  return { text, state };
}

/** A later complete snapshot: every export, and no fact older than in `before`. */
function expectLaterSnapshot(before: StateFileV1, after: StateFileV1): void {
  expect(Object.keys(after.exports).sort()).toEqual(Object.keys(before.exports).sort());
  for (const [id, facts] of Object.entries(after.exports)) {
    expect(facts.lastProgressAt!, id).toBeGreaterThanOrEqual(before.exports[id]!.lastProgressAt!);
    expect(facts.percentage!, id).toBeGreaterThanOrEqual(before.exports[id]!.percentage!);
  }
}

describe('kill -9 with --storage.path', () => {
  it('never leaves a torn state file, and the series continue after every restart', async () => {
    const startedAt = Date.now();
    // Most exports move 0.1 % a second (a fact changes every cycle, so every cycle writes the file); some are stuck.
    sim = await startSimulator({
      token: TOKEN,
      maxRecordedRequests: 16,
      exports: Array.from({ length: EXPORTS }, (_, i) => ({
        projectId: PROJECT,
        serverId: serverOf(i),
        exportId: '1',
        behaviour:
          i < STALLED
            ? ({ kind: 'progress', startedAt, durationMs: 3_600_000, stallAtPercent: 0 } as const)
            : ({ kind: 'progress', startedAt, durationMs: 1_000_000, percentShape: 'float-string' } as const),
      })),
    });
    dir = await mkdtemp(join(tmpdir(), 'cde-kill9-'));
    const config = join(dir, 'config.yaml');
    const statePath = join(dir, FILE);
    await writeFile(config, configText(sim.url));

    /** Every complete version of the file seen while the exporter ran. */
    const seen = new Set<string>();
    let previous: StateFileV1 | undefined;
    /** When each stuck export was first seen; restarts must not move it. */
    const stuckSince = new Map<string, number>();
    let midWrite = 0;

    for (let round = 0; round < KILLS; round++) {
      cli = runCli([
        `--config.file=${config}`,
        `--storage.path=${statePath}`,
        '--web.listen-address=127.0.0.1:0',
        '--config.auto-reload-interval=0s',
        '--log.level=warn',
      ]);
      const c = cli;
      // Snapshots as they come; a write is a rename, so any read sees a whole file.
      const sampler = (async () => {
        while (c.child.exitCode === null && c.child.signalCode === null) {
          const s = await readState(statePath);
          if (s) seen.add(s.text);
          await sleep(20);
        }
      })();
      // Wait for a first write of this run, then kill at a random moment: half the time the instant a
      // temporary file shows up (a write in progress), otherwise anywhere in the cycle.
      const writesBefore = seen.size;
      while (seen.size === writesBefore) await sleep(10);
      if (round % 2 === 0) {
        await new Promise<void>((resolve) => {
          watcher = watch(dir!, (_event, name) => {
            if (name?.startsWith(`.${FILE}.`) && name.endsWith('.tmp')) {
              c.child.kill('SIGKILL');
              resolve();
            }
          });
        });
        watcher?.close();
      } else {
        await sleep(200 + Math.random() * 1800);
        c.child.kill('SIGKILL');
      }
      expect(await c.exited).toBe('SIGKILL');
      await sampler;

      const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
      if (leftovers.length > 0) midWrite++;
      const after = await readState(statePath);
      expect(after, 'a state file exists after the first write').toBeDefined();
      const { text, state } = after!;
      expect(Object.keys(state.exports)).toHaveLength(EXPORTS);
      // A snapshot seen while it ran, or a newer complete one written after the last read; never anything in
      // between (parseStateFile above refuses a torn file), and never older than what an earlier round left.
      if (!seen.has(text)) expect(text.length).toBeGreaterThan(0);
      if (previous) expectLaterSnapshot(previous, state);
      previous = state;

      // Stuck exports keep the time they were first seen, whatever the restarts.
      for (let i = 0; i < STALLED; i++) {
        const at = state.exports[keyOf(i)]!.lastProgressAt!;
        if (!stuckSince.has(keyOf(i))) stuckSince.set(keyOf(i), at);
        expect(at, keyOf(i)).toBe(stuckSince.get(keyOf(i)));
      }
    }

    // A last restart: the exporter reads the file and serves the series from where they were.
    cli = runCli([
      `--config.file=${config}`,
      `--storage.path=${statePath}`,
      '--web.listen-address=127.0.0.1:0',
      '--config.auto-reload-interval=0s',
      '--log.level=info',
      '--log.format=json',
    ]);
    const [, url] = await cli.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    await cli.waitFor(new RegExp(`"restored":${EXPORTS}\\b`));
    let metrics = '';
    for (;;) {
      const res = await fetch(`${url}/-/ready`);
      await res.arrayBuffer();
      if (res.status === 200) break;
      await sleep(50);
    }
    metrics = await (await fetch(`${url}/metrics`)).text();
    const lastProgress = (i: number) =>
      Number(new RegExp(`clouddc_log_export_last_progress_timestamp_seconds\\{[^}]*server_id="${serverOf(i)}"[^}]*\\} (\\S+)`).exec(metrics)?.[1]);
    for (let i = 0; i < STALLED; i++) expect(lastProgress(i)).toBe(stuckSince.get(keyOf(i)));
    // Moving exports: at least where the file had them (the first cycle after the restart may move them on).
    for (const i of [STALLED, EXPORTS - 1]) expect(lastProgress(i)).toBeGreaterThanOrEqual(previous!.exports[keyOf(i)]!.lastProgressAt!);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // Temporary files of writes cut short by a kill are cleared at start-up, so crashes do not fill the volume.
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(midWrite, 'at least one kill landed during a write').toBeGreaterThan(0);
  }, 90_000);
});
