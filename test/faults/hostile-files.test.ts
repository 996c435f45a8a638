import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_LIMITS } from '../../src/files/bounded-read.js';
import { startExporter } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { stopAfterTest } from '../support/cleanup.js';
import { runCli } from '../support/cli.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';
import { tempDir } from '../web/tls-fixtures.js';

/**
 * Files that are not what they claim, at start-up: a FIFO, a device or an oversized file as the config, and a
 * --storage.path that points at a file the exporter does not own. Each is refused at once with a `path:
 * message` line and exit 1; nothing is overwritten.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, sleep(ms).then(() => 'still running' as const)]);
const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    token: TOKEN,
    exports: [{ projectId: PROJECT, serverId: 'srv', exportId: '1', behaviour: { kind: 'progress', durationMs: 3_600_000 } }],
  });
});
afterAll(() => sim?.close());

function configFile(dir: string, auth = `{token: "${TOKEN}"}`): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `accounts:\n  main:\n    endpoint: ${sim.url}\n    project_id: ${PROJECT}\n    auth: ${auth}\nexports:\n  - {server_id: srv, export_id: "1"}\n`,
  );
  return file;
}

describe('the config file', () => {
  it('--config.check refuses a FIFO, /dev/zero and an oversized file at once', async () => {
    const dir = tempDir('cde-hostile-');
    mkfifo(join(dir, 'fifo.yaml'));
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    // Sparse: as large as a 50 MB config without writing 50 MB.
    writeFileSync(join(dir, 'big.yaml'), '');
    execFileSync('truncate', ['-s', '50M', join(dir, 'big.yaml')]);
    const cases: Array<[string, RegExp]> = [
      ['fifo.yaml', /fifo\.yaml: cannot read: not a regular file \(a FIFO\)/],
      ['zero.yaml', /zero\.yaml: cannot read: not a regular file \(a character device\)/],
      ['big.yaml', /big\.yaml: cannot read: larger than the 8 MiB allowed for a config file \(50 MiB\)/],
    ];
    for (const [name, message] of cases) {
      const cli = runCli(['--config.check', `--config.file=${join(dir, name)}`]);
      expect(await within(cli.exited, 8000), name).toBe(1);
      expect(cli.stderr()).toMatch(message);
      expect(cli.stderr()).not.toMatch(/\n\s+at /);
    }
    expect(FILE_LIMITS.config).toBe(8 * 1024 * 1024);
  }, 40_000);

  it('an inline token with a line break fails --config.check instead of every poll', async () => {
    const dir = tempDir('cde-hostile-');
    const file = configFile(dir, '{token: "MIIabc\\r\\nX-Injected: 1"}');
    const cli = runCli(['--config.check', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('accounts.main.auth.token: must be one line of visible ASCII characters');
    expect(cli.stderr()).not.toContain('MIIabc');
  });

  it('a secret file that is a FIFO fails --config.check at once', async () => {
    const dir = tempDir('cde-hostile-');
    mkfifo(join(dir, 'token'));
    const cli = runCli(['--config.check', `--config.file=${configFile(dir, '{token_file: token}')}`]);
    expect(await within(cli.exited, 8000)).toBe(1);
    expect(cli.stderr()).toMatch(/accounts\.main\.auth\.token_file: cannot read [^ ]+token: not a regular file \(a FIFO\)/);
  });
});

describe('--storage.path', () => {
  it('refuses at start-up, exit 1, a path that is the config, a secret (also by hard link), a device, a FIFO, a socket or a foreign file', async () => {
    const dir = tempDir('cde-hostile-');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const file = configFile(dir, '{token_file: token}');
    const configBefore = readFileSync(file, 'utf8');
    linkSync(join(dir, 'token'), join(dir, 'token-link'));
    symlinkSync(file, join(dir, 'config-link'));
    mkfifo(join(dir, 'fifo'));
    writeFileSync(join(dir, 'notes.txt'), 'my notes, not JSON\n');
    const socket = createServer().listen(join(dir, 'sock'));
    await new Promise((r) => socket.once('listening', r));
    const cases: Array<[string, RegExp]> = [
      [file, /is the config file/],
      [join(dir, 'config-link'), /is the config file/],
      [join(dir, 'token-link'), /is the token file of account main/],
      ['/dev/null', /not a regular file \(a character device\)/],
      [join(dir, 'fifo'), /not a regular file \(a FIFO\)/],
      [join(dir, 'sock'), /not a regular file \(a socket\)/],
      [join(dir, 'notes.txt'), /exists and is not a clouddc-exporter state file; refusing to overwrite it/],
    ];
    try {
      for (const [path, message] of cases) {
        const cli = runCli([`--config.file=${file}`, `--storage.path=${path}`, '--web.listen-address=127.0.0.1:0']);
        expect(await within(cli.exited, 8000), path).toBe(1);
        expect(cli.stderr()).toMatch(new RegExp(`--storage.path: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${message.source}`));
      }
    } finally {
      socket.close();
    }
    expect(readFileSync(file, 'utf8')).toBe(configBefore);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes, not JSON\n');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  }, 60_000);

  it('takes a directory (state.json inside) and keeps the mode the operator gave the file', async () => {
    const dir = tempDir('cde-hostile-');
    mkdirSync(join(dir, 'data'));
    const state = join(dir, 'data', 'state.json');
    writeFileSync(state, '{"version":1,"exports":{}}');
    chmodSync(state, 0o640);
    const clock = new FakeClock();
    const running = stopAfterTest(
      await startExporter({
        config: config([account(sim.url)], [target({ serverId: 'srv' })]),
        logger: silentLogger,
        listen: { host: '127.0.0.1', port: 0 },
        now: clock.now,
        defaultMetrics: false,
        storagePath: join(dir, 'data'),
      }),
    );
    await running.exporter.runner.idle();
    const written = JSON.parse(readFileSync(state, 'utf8'));
    expect(written.exports[`${PROJECT}/srv/1`]).toBeDefined();
    expect(statSync(state).mode & 0o777).toBe(0o640);
  });
});
