import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { head, rawConfig, startRawCloudDc, type RawCloudDc } from './raw-clouddc.js';

/**
 * B6: a server that trickles the bundle (one byte every 200 ms) never trips an idle timeout, so before the fix
 * `export download` ran forever and `export start --wait --timeout` stopped covering it once the wait was over.
 * `--timeout` now bounds both; a server that goes silent fails on the idle timeout (poll.timeout) by itself.
 */

let raw: RawCloudDc | undefined;
const timers = new Set<NodeJS.Timeout>();
afterEach(async () => {
  for (const t of timers) clearInterval(t);
  timers.clear();
  await raw?.close();
  raw = undefined;
});

/** Headers, then one byte every 200 ms of a body that would take hours. */
function trickle(socket: Socket): void {
  socket.write(head(200, { 'content-length': 100_000, 'content-disposition': 'attachment; filename=slow.tar.gz' }));
  const t = setInterval(() => (socket.destroyed ? clearInterval(t) : socket.write('x')), 200);
  timers.add(t);
}

/** Headers and a few bytes, then silence with the connection open. */
function silent(socket: Socket): void {
  socket.write(head(200, { 'content-length': 100_000, 'content-disposition': 'attachment; filename=silent.tar.gz' }) + 'abc');
}

const parts = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.part'));

describe('B6: timeouts where a byte can trickle', { timeout: 60_000 }, () => {
  it('export download --timeout gives up on a trickling server: exit 1, no .part', async () => {
    raw = await startRawCloudDc();
    raw.download = trickle;
    const cfg = rawConfig(raw.url);
    const out = join(cfg.dir, 'out');
    const started = Date.now();
    const cli = runCli(['export', 'download', `--config.file=${cfg.file}`, '--server=srv', '--export-id=7', `--dir=${out}`, '--timeout=2s']);
    expect(await cli.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(cli.stderr()).toMatch(/export 7 of server srv: --timeout: gave up after 2s; no file was kept/);
    expect(parts(out)).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a server that goes silent fails on the idle timeout, each attempt, without --timeout', async () => {
    raw = await startRawCloudDc();
    raw.download = silent;
    const cfg = rawConfig(raw.url, 'timeout: 1s\n  retries: 1\n  backoff_initial: 50ms\n  backoff_max: 100ms');
    const out = join(cfg.dir, 'out');
    const cli = runCli(['export', 'download', `--config.file=${cfg.file}`, '--server=srv', '--export-id=7', `--dir=${out}`]);
    expect(await cli.exited).toBe(1);
    expect(raw.downloads).toBe(2);
    expect(cli.stderr()).toMatch(/download broke off: no data for 1s; no file was kept/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('export start --wait --download --timeout covers the download', async () => {
    raw = await startRawCloudDc();
    raw.download = trickle;
    const cfg = rawConfig(raw.url);
    const out = join(cfg.dir, 'out');
    const started = Date.now();
    const cli = runCli(['export', 'start', `--config.file=${cfg.file}`, '--server=srv', '--wait', `--download=${out}`, '--timeout=3s']);
    expect(await cli.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(cli.stderr()).toContain('all 1 export completed');
    expect(cli.stderr()).toMatch(/export 7 of server srv: --timeout: gave up after 3s; no file was kept/);
    expect(raw.downloads).toBe(1);
    expect(readdirSync(out)).toEqual([]);
  });
});
