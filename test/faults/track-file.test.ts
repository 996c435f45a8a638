import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { rawConfig, startRawCloudDc, type RawCloudDc } from './raw-clouddc.js';

/**
 * B4 and B5: `export start --track-file` with a file that is not what it claims, and with a lock left by a start that
 * was killed. The file is read with the limits the exporter applies to export files, and the lock is taken before
 * the POST: whatever goes wrong with the file, either the new export is tracked or none was started.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, sleep(ms).then(() => 'still running' as const)]);

let raw: RawCloudDc | undefined;
afterEach(async () => {
  await raw?.close();
  raw = undefined;
});

async function world() {
  raw = await startRawCloudDc();
  let posts = 0;
  const answer = raw.start;
  raw.start = (socket) => {
    posts++;
    answer(socket);
  };
  const cfg = rawConfig(raw.url);
  const start = (track: string) => runCli(['export', 'start', `--config.file=${cfg.file}`, '--server=srv', `--track-file=${track}`]);
  return { raw, cfg, start, posts: () => posts };
}

/** The pid of a process that has exited: what a killed start leaves in its lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('B4: the track file is read with limits', { timeout: 60_000 }, () => {
  it('a FIFO, /dev/zero or an oversized file is refused at once, before anything is started, and no lock is left', async () => {
    const w = await world();
    execFileSync('mkfifo', [join(w.cfg.dir, 'fifo.yaml')]);
    symlinkSync('/dev/zero', join(w.cfg.dir, 'zero.yaml'));
    writeFileSync(join(w.cfg.dir, 'big.yaml'), '');
    execFileSync('truncate', ['-s', '9M', join(w.cfg.dir, 'big.yaml')]);
    const cases: Array<[string, RegExp]> = [
      ['fifo.yaml', /fifo\.yaml: cannot read: not a regular file \(a FIFO\); not changed; no export was started/],
      ['zero.yaml', /zero\.yaml: cannot read: not a regular file \(a character device\); not changed; no export was started/],
      ['big.yaml', /big\.yaml: cannot read: larger than the 8 MiB allowed .*; not changed; no export was started/],
    ];
    for (const [name, message] of cases) {
      const track = join(w.cfg.dir, name);
      const cli = w.start(track);
      const code = await within(cli.exited, 10_000);
      if (code === 'still running') cli.child.kill('SIGKILL');
      expect(code, name).toBe(1);
      expect(cli.stderr()).toMatch(message);
      expect(existsSync(`${track}.lock`), name).toBe(false);
    }
    expect(w.posts()).toBe(0);
  });

  it('a file that would grow past the 8 MiB an export file may hold is left alone, before anything is started', async () => {
    const w = await world();
    const track = join(w.cfg.dir, 'full.yaml');
    const line = `# ${'x'.repeat(1000)}\n`;
    const text = `- {server_id: a, export_id: "1", account: main}\n${line.repeat(Math.floor((8 * 1024 * 1024 - 200) / line.length))}`;
    writeFileSync(track, text);
    const cli = w.start(track);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/full\.yaml: too large to add 1 more export\(s\) within the 8 MiB an export file may hold; not changed/);
    expect(w.posts()).toBe(0);
    expect(readFileSync(track, 'utf8')).toBe(text);
  });

  it('keeps the mode of the file it rewrites (0600, 0664)', async () => {
    const w = await world();
    for (const mode of [0o600, 0o664]) {
      const track = join(w.cfg.dir, `mode-${mode.toString(8)}.yaml`);
      writeFileSync(track, '[]\n');
      chmodSync(track, mode);
      const cli = w.start(track);
      expect(await cli.exited).toBe(0);
      expect(readFileSync(track, 'utf8')).toContain('export_id: "7"');
      expect((statSync(track).mode & 0o777).toString(8)).toBe(mode.toString(8));
    }
  });
});

describe('B5: the lock is taken before the POST', { timeout: 60_000 }, () => {
  it('a lock left by a killed start (its pid gone) is taken over at once, and the new export is tracked', async () => {
    const w = await world();
    const track = join(w.cfg.dir, 'started.yaml');
    writeFileSync(`${track}.lock`, `${deadPid()}\n`);
    const started = Date.now();
    const cli = w.start(track);
    expect(await cli.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(readFileSync(track, 'utf8')).toBe('- server_id: srv\n  export_id: "7"\n  account: main\n');
    expect(existsSync(`${track}.lock`)).toBe(false);
  });

  it('a start killed during its POST leaves a lock the next start takes over at once', async () => {
    const w = await world();
    const track = join(w.cfg.dir, 'started.yaml');
    const answer = w.raw.start;
    w.raw.start = () => undefined; // the POST hangs
    const first = w.start(track);
    await sleep(200);
    for (let i = 0; i < 100 && !existsSync(`${track}.lock`); i++) await sleep(100);
    expect(existsSync(`${track}.lock`)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    w.raw.start = answer;
    const started = Date.now();
    const second = w.start(track);
    expect(await second.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(readFileSync(track, 'utf8')).toContain('export_id: "7"');
  });

  it('a lock held by a live process: nothing is started, and the message names the holder', async () => {
    const w = await world();
    const track = join(w.cfg.dir, 'started.yaml');
    writeFileSync(`${track}.lock`, `${process.pid}\n`);
    const cli = w.start(track);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`started.yaml.lock is held by process ${process.pid}`);
    expect(cli.stderr()).toContain('no export was started');
    expect(w.posts()).toBe(0);
    expect(existsSync(track)).toBe(false);
  });
});
