import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { head, rawConfig, startRawCloudDc, type RawCloudDc } from '../../faults/raw-clouddc.js';

/**
 * Local errors of `export download` against a server that sends the whole body at once: before, an existing target
 * file printed Node's "Unhandled 'error' event" with a stack trace. Each must be one line and exit 1, with no file,
 * temporary or not, left behind.
 */

// Small enough to have arrived whole before the error: undici's body then threw from destroy() (RequestAbortedError).
const BODY = Buffer.alloc(1000, 0x41);
let raw: RawCloudDc | undefined;
afterEach(async () => {
  await raw?.close();
  raw = undefined;
});

async function world() {
  raw = await startRawCloudDc();
  raw.download = (socket) =>
    socket.end(
      Buffer.concat([
        Buffer.from(head(200, { 'content-length': BODY.length, 'content-disposition': 'attachment; filename=2102ABC-dump.tar.gz', connection: 'close' })),
        BODY,
      ]),
    );
  const cfg = rawConfig(raw.url);
  const download = (dir: string, ...extra: string[]) =>
    runCli(['export', 'download', `--config.file=${cfg.file}`, '--server=srv', '--export-id=7', `--dir=${dir}`, ...extra]);
  return { raw, cfg, download };
}

function expectOneLineError(stderr: string, message: RegExp): void {
  expect(stderr).not.toMatch(/\n\s+at |Unhandled|node:internal|AssertionError/);
  const errors = stderr.split('\n').filter((l) => l.startsWith('clouddc-exporter: '));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
}

describe('export download: local errors', { timeout: 60_000 }, () => {
  it('the target exists: one line, exit 1, the file untouched, no .part', async () => {
    const w = await world();
    const dir = join(w.cfg.dir, 'out');
    mkdirSync(dir);
    writeFileSync(join(dir, '2102ABC-dump.tar.gz'), 'mine');
    // Several runs: the old crash depended on when the body's socket closed.
    for (let i = 0; i < 2; i++) {
      const cli = w.download(dir);
      expect(await cli.exited).toBe(1);
      expectOneLineError(cli.stderr(), /2102ABC-dump\.tar\.gz already exists; remove it or pass --overwrite$/);
      expect(readdirSync(dir)).toEqual(['2102ABC-dump.tar.gz']);
      expect(readFileSync(join(dir, '2102ABC-dump.tar.gz'), 'utf8')).toBe('mine');
    }
  });

  it('a directory nothing may be created in: one line, exit 1', async () => {
    const w = await world();
    // Even root may not create files in /sys.
    const cli = w.download('/sys');
    expect(await cli.exited).toBe(1);
    expectOneLineError(cli.stderr(), /export 7 of server srv: cannot create a file in \/sys: permission denied; no file was kept$/);
  });

  it('a --dir under a regular file: one line, exit 1', async () => {
    const w = await world();
    writeFileSync(join(w.cfg.dir, 'plain'), '');
    const cli = w.download(join(w.cfg.dir, 'plain', 'out'));
    expect(await cli.exited).toBe(1);
    expectOneLineError(cli.stderr(), /--dir: cannot create \S+plain\/out: a parent is not a directory$/);
  });

  it('says the HTTP status and API error code once', async () => {
    const w = await world();
    w.raw.status = () => ({ status: 404, body: JSON.stringify({ error_code: 'iMetal.0100', error_msg: 'Physical servers ID not found' }) });
    const cli = w.download(join(w.cfg.dir, 'out'));
    expect(await cli.exited).toBe(1);
    expectOneLineError(
      cli.stderr(),
      /^clouddc-exporter: export 7 of server srv: cannot read its status: HTTP 404 iMetal\.0100: Physical servers ID not found$/,
    );
    expect(existsSync(join(w.cfg.dir, 'out'))).toBe(false);
  });
});
