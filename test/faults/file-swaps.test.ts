import { readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli, type Cli } from '../support/cli.js';
import { PROJECT, TOKEN } from '../support/config.js';
import { selfSigned, tempDir } from '../web/tls-fixtures.js';

/**
 * Every file the exporter reads again while it runs, swapped for a link to /dev/zero under the running binary:
 * the token file, the TLS certificate, the config file and the state file. Each is refused at once, logged
 * once, the last good content stays in use, and the process stays small, healthy and stoppable.
 */

const RSS_LIMIT_KB = 300 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak resident memory of a process so far (VmHWM), in kB. */
function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const count = (cli: Cli, re: RegExp) => (cli.stdout().match(new RegExp(re.source, 'g')) ?? []).length;

function swapForDevZero(path: string): void {
  rmSync(path, { force: true });
  symlinkSync('/dev/zero', path);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    token: TOKEN,
    exports: [{ projectId: PROJECT, serverId: 'srv', exportId: '1', behaviour: { kind: 'progress', durationMs: 24 * 3600_000 } }],
  });
});
afterAll(() => sim?.close());

describe('files swapped for /dev/zero under a running exporter', () => {
  it('refuses each at once, keeps the last good content, logs once, stays under 300 MB', async () => {
    const dir = tempDir('cde-swap-');
    const server = selfSigned(dir, 'server');
    const ca = readFileSync(server.cert, 'utf8');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const configText =
      `poll: {schedule: "* * * * * *", retries: 0, spread: false}\naccounts:\n  main:\n    endpoint: ${sim.url}\n` +
      `    project_id: ${PROJECT}\n    auth: {token_file: token}\nexports:\n  - {server_id: srv, export_id: "1"}\n`;
    writeFileSync(join(dir, 'config.yaml'), configText);
    writeFileSync(join(dir, 'web.yml'), 'tls_server_config: {cert_file: server.crt, key_file: server.key}\n');
    mkdirSync(join(dir, 'data'));
    const cli = runCli([
      `--config.file=${join(dir, 'config.yaml')}`,
      `--web.config.file=${join(dir, 'web.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      '--config.auto-reload-interval=100ms',
      '--web.listen-address=127.0.0.1:0',
      '--log.format=json',
    ]);
    const peaks: Record<string, number> = {};
    try {
      const [, url] = await cli.waitFor(/"url":"(https:\/\/127\.0\.0\.1:\d+)"/);
      const metrics = async () => (await get(`${url}/metrics`, ca)).body;
      await cli.waitFor(/"msg":"state restored"|no state file yet/);
      // The first cycle wrote the state file inside the directory.
      while (!(await metrics()).includes('clouddc_log_export_poll_success{')) await sleep(100);
      await sleep(1500);
      expect(JSON.parse(readFileSync(join(dir, 'data', 'state.json'), 'utf8')).version).toBe(1);

      swapForDevZero(join(dir, 'token'));
      await cli.waitFor(/cannot read token file [^"]*: not a regular file \(a character device\); keeping the last value read/);
      const requestsBefore = sim.requestCount;
      await sleep(2500);
      expect(sim.requestCount).toBeGreaterThan(requestsBefore);
      expect(await metrics()).toMatch(/clouddc_log_export_poll_success\{[^}]*\} 1/);
      expect(count(cli, /keeping the last value read/)).toBe(1);
      expect(await metrics()).toMatch(/^clouddc_exporter_file_reload_failures_total\{file="token_file"\} 1$/m);
      peaks.token = peakRssKb(cli.child.pid!);
      rmSync(join(dir, 'token'));
      writeFileSync(join(dir, 'token'), `${TOKEN}\n`);

      swapForDevZero(join(dir, 'server.crt'));
      for (let i = 0; i < 3; i++) expect((await get(`${url}/-/healthy`, ca)).status).toBe(200);
      await cli.waitFor(/refused the changed TLS certificate files/);
      expect(count(cli, /refused the changed TLS certificate files/)).toBe(1);
      expect(cli.stdout()).toMatch(/server\.crt: not a regular file \(a character device\)/);
      expect(await metrics()).toMatch(/^clouddc_exporter_file_reload_failures_total\{file="tls_server_config"\} 1$/m);
      peaks.tls = peakRssKb(cli.child.pid!);
      rmSync(join(dir, 'server.crt'));
      writeFileSync(join(dir, 'server.crt'), ca);
      expect((await get(`${url}/-/healthy`, ca)).status).toBe(200);
      await cli.waitFor(/TLS certificate reloaded/);

      swapForDevZero(join(dir, 'data', 'state.json'));
      // A second export (unknown upstream: a 404 is a fact worth keeping) changes what there is to write.
      writeFileSync(join(dir, 'config.yaml'), `${configText}  - {server_id: srv-2, export_id: "2"}\n`);
      await cli.waitFor(/not writing the state file/);
      await sleep(2000);
      expect(count(cli, /not writing the state file/)).toBe(1);
      peaks.state = peakRssKb(cli.child.pid!);

      swapForDevZero(join(dir, 'config.yaml'));
      await cli.waitFor(/configuration reload failed[^\n]*config\.yaml: cannot read: not a regular file \(a character device\)/);
      await sleep(1000);
      expect(count(cli, /configuration reload failed/)).toBe(1);
      expect(await metrics()).toMatch(/clouddc_exporter_config_last_reload_successful 0/);
      peaks.config = peakRssKb(cli.child.pid!);

      // Put back, the config is taken again.
      rmSync(join(dir, 'config.yaml'));
      writeFileSync(join(dir, 'config.yaml'), configText);
      await cli.waitFor(/"msg":"configuration reloaded"/);
      expect(await metrics()).toMatch(/clouddc_exporter_config_last_reload_successful 1/);
      for (const [file, kb] of Object.entries(peaks)) expect(kb, `peak RSS after the ${file} swap`).toBeLessThan(RSS_LIMIT_KB);
      process.stdout.write(
        `peak RSS (VmHWM) after each swap, MB: ${JSON.stringify(Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1024)])))}\n`,
      );
      cli.child.kill('SIGTERM');
      expect(await Promise.race([cli.exited, sleep(6000).then(() => 'still running')])).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 60_000);
});
