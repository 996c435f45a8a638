import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serialNumber, startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { runCli } from '../../support/cli.js';
import { configFor, PROJECT, rssOf, TOKEN } from './support.js';

const SERVER = '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8';
const key = (exportId: string) => ({ projectId: PROJECT, serverId: SERVER, exportId });
const BUNDLE = `${serialNumber(SERVER)}-dump.tar.gz`;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function world(exportId = '7', behaviour: 'done' | 'running' = 'done') {
  sim = await startSimulator({ token: TOKEN });
  sim.setBehaviour(key(exportId), behaviour === 'done' ? { kind: 'progress', durationMs: 0 } : { kind: 'progress', durationMs: 600_000 });
  const cfg = configFor(sim.url);
  const out = join(cfg.dir, 'bundles');
  const download = (...extra: string[]) =>
    runCli(['export', 'download', `--config.file=${cfg.file}`, `--server=${SERVER}`, `--export-id=${exportId}`, `--dir=${out}`, ...extra]);
  return { sim, out, download };
}

// Each test runs the CLI as a child process, several times for some: seconds each on a busy 2-core machine.
describe('export download', { timeout: 60_000 }, () => {
  it('saves a completed bundle under the sanitised server-given name and prints its path', async () => {
    const w = await world();
    const cli = w.download();
    expect(await cli.exited).toBe(0);
    expect(cli.stdout().trim()).toBe(join(w.out, BUNDLE));
    expect(readdirSync(w.out)).toEqual([BUNDLE]);
    expect(execFileSync('tar', ['-tzf', join(w.out, BUNDLE)], { encoding: 'utf8' })).toContain('dump/bmc/sel.log');
    // Not a terminal: plain progress lines, the last at 100%.
    expect(cli.stderr()).toMatch(new RegExp(`${BUNDLE}: 100% \\(`));
    expect(cli.stderr()).not.toContain('\u001b[');
  });

  it('keeps only the last path component of a hostile file name', async () => {
    const w = await world();
    w.sim.setBundle(key('7'), { filename: '"../../etc/..evil name.tar.gz"' });
    const cli = w.download();
    expect(await cli.exited).toBe(0);
    expect(readdirSync(w.out)).toEqual(['evil_name.tar.gz']);
  });

  it('says clearly that an export is not completed, and writes nothing', async () => {
    const w = await world('8', 'running');
    const cli = w.download();
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/export 8 of server \S+ is still processing \(\d+%\), not completed; nothing to download/);
    expect(w.sim.requests.filter((r) => r.op === 'download')).toHaveLength(0);
    expect(existsSync(w.out)).toBe(false);
  });

  it('refuses to replace an existing file unless told to', async () => {
    const w = await world();
    expect(await w.download().exited).toBe(0);
    writeFileSync(join(w.out, BUNDLE), 'old');
    const again = w.download();
    expect(await again.exited).toBe(1);
    expect(again.stderr()).toContain('already exists; remove it or pass --overwrite');
    expect(readFileSync(join(w.out, BUNDLE), 'utf8')).toBe('old');
    expect(await w.download('--overwrite').exited).toBe(0);
    expect(readFileSync(join(w.out, BUNDLE)).length).toBeGreaterThan(3);
    expect(readdirSync(w.out)).toEqual([BUNDLE]);
  });

  it('retries a download that breaks mid-stream and, when every attempt breaks, leaves no file at all', async () => {
    const w = await world();
    w.sim.setBundle(key('7'), { logBytes: 4 * 1024 * 1024, fault: { kind: 'reset', afterBytes: 1024 * 1024 } });
    const cli = w.download();
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/download broke off: .*no file was kept/);
    // The config allows 2 retries: three attempts in all.
    expect(w.sim.requests.filter((r) => r.op === 'download')).toHaveLength(3);
    expect(readdirSync(w.out)).toEqual([]);
  });

  it('leaves no file under the final name (nor a temporary one) when interrupted with Ctrl+C', async () => {
    const w = await world();
    w.sim.setBundle(key('7'), { logBytes: 64 * 1024 * 1024, fault: { kind: 'stall', afterBytes: 8 * 1024 * 1024 } });
    const cli = w.download();
    await cli.waitFor(/: 10% \(/);
    expect(readdirSync(w.out).filter((f) => f.endsWith('.part'))).toHaveLength(1);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.stderr()).toContain('interrupted; no file was kept');
    expect(readdirSync(w.out)).toEqual([]);
  });

  it('removes the .part a SIGKILLed download left, at the next run into the same directory', async () => {
    const w = await world();
    w.sim.setBundle(key('7'), { logBytes: 64 * 1024 * 1024, fault: { kind: 'stall', afterBytes: 8 * 1024 * 1024 } });
    const killed = w.download();
    await killed.waitFor(/: 10% \(/);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const left = readdirSync(w.out).filter((f) => f.endsWith('.part'));
    expect(left).toEqual([expect.stringMatching(new RegExp(`^\\.${BUNDLE.replaceAll('.', '\\.')}\\.${killed.child.pid}\\.[0-9a-f]{8}\\.part$`))]);
    // Someone else's file that merely looks alike stays.
    writeFileSync(join(w.out, 'notes.part'), 'mine');
    w.sim.setBundle(key('7'), undefined);
    const next = w.download();
    expect(await next.exited).toBe(0);
    expect(next.stderr()).toContain(`removed ${join(w.out, left[0] as string)}, a partial download left by an earlier run`);
    expect(readdirSync(w.out).sort()).toEqual([BUNDLE, 'notes.part']);
  });

  it('downloads a 1 GB bundle with RSS growing by less than 50 MB', { timeout: 180_000 }, async () => {
    const w = await world();
    w.sim.setBundle(key('7'), { logBytes: 1024 ** 3 });
    const started = performance.now();
    const cli = w.download('--log.level=warn');
    const samples: number[] = [];
    let baseline: number | undefined;
    const timer = setInterval(() => {
      const rss = rssOf(cli.child.pid ?? -1);
      if (rss === undefined) return;
      samples.push(rss);
      // From the first progress line on, the process has loaded everything and is streaming.
      if (baseline === undefined && /: 10% \(/.test(cli.stderr())) baseline = rss;
    }, 20);
    const code = await cli.exited;
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    expect(code).toBe(0);
    expect(baseline).toBeDefined();
    const peak = Math.max(...samples);
    const growth = peak - (baseline as number);
    const MB = 1024 * 1024;
    console.log(
      `1 GB download: ${seconds.toFixed(1)} s; RSS at 10% ${((baseline as number) / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB, growth ${(growth / MB).toFixed(1)} MB, first sample ${((samples[0] ?? 0) / MB).toFixed(1)} MB`,
    );
    expect(growth).toBeLessThan(50 * MB);
    const size = readFileSync(join(w.out, BUNDLE), { flag: 'r' }).length;
    expect(size).toBeGreaterThan(1024 ** 3);
  });
});
