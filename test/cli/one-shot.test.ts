import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { PROJECT, TOKEN } from '../support/config.js';
import { runCli } from '../support/cli.js';
import { yamlConfig } from '../support/yaml-config.js';

/** The built CLI's --once and --wait against a simulator in this process; output is piped, never a terminal. */

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(exports: Array<{ server: string; name?: string; behaviour: Behaviour }>, schedule = '* * * * * *'): Promise<string> {
  // The simulator's clock stands still until the first request: the CLI's start-up time (seconds on a busy
  // machine) must not eat into the scripted durations.
  const base = Date.now();
  let firstRequestAt: number | undefined;
  sim = await startSimulator({
    now: () => (firstRequestAt === undefined ? base : base + Date.now() - firstRequestAt),
    authenticate: (req) => {
      firstRequestAt ??= Date.now();
      return req.headers['x-auth-token'] === TOKEN ? { ok: true } : { ok: false, status: 401, body: 'no' };
    },
    exports: exports.map((e) => ({ projectId: PROJECT, serverId: e.server, exportId: '1', behaviour: e.behaviour })),
  });
  const file = join(mkdtempSync(join(tmpdir(), 'cde-once-')), 'config.yaml');
  const text = yamlConfig(
    sim.url,
    exports.map((e) => ({ server: e.server, id: '1', ...(e.name && { name: e.name }) })),
  ).replace('schedule: "0 0 1 1 *"', `schedule: "${schedule}"`);
  writeFileSync(file, text);
  return file;
}

const running = (durationMs = 1e7): Behaviour => ({ kind: 'progress', durationMs });

describe('--once', () => {
  it('polls every export once, prints the table on stdout and exits 0 when all answered', async () => {
    const file = await setup([
      { server: 'srv-a', name: 'nightly', behaviour: running() },
      { server: 'srv-b', behaviour: { kind: 'progress', durationMs: 1 } },
    ]);
    const cli = runCli(['--once', `--config.file=${file}`]);
    expect(await cli.exited).toBe(0);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SERVER\s+EXPORT ID\s+ACCOUNT\s+STATUS\s+PROGRESS\s+AGE\s+LAST ERROR$/);
    expect(lines).toHaveLength(3);
    expect(cli.stdout()).toMatch(/nightly\s+srv-a\s+1\s+main\s+processing\s+\d+%/);
    expect(cli.stdout()).toMatch(/-\s+srv-b\s+1\s+main\s+completed\s+100%/);
    // Quiet by default: warn level, and nothing went wrong.
    expect(cli.stderr()).toBe('');
    expect(sim!.requestCount).toBe(2);
  });

  it('exits 1 when a poll failed, with the reason in the table and a log line on stderr', async () => {
    const file = await setup([
      { server: 'srv-a', behaviour: running() },
      { server: 'srv-b', behaviour: { kind: 'error', status: 500 } },
    ]);
    const cli = runCli(['--once', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    expect(cli.stdout()).toMatch(/srv-b\s+1\s+main\s+poll failing\s+-\s+-\s+.*500/);
    expect(cli.stderr()).toContain('msg="poll failed:');
    expect(cli.stderr()).toContain('clouddc-exporter: 1 of 2 exports could not be polled: srv-b/1');
    expect(cli.stdout()).not.toContain('level=');
  });

  it('--output json prints the /api/v1/exports body', async () => {
    const file = await setup([
      { server: 'srv-a', name: 'nightly', behaviour: running() },
      { server: 'srv-b', behaviour: { kind: 'error', status: 500 } },
    ]);
    const cli = runCli(['--once', '--output=json', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    const body = JSON.parse(cli.stdout()) as { now: string; exports: Array<Record<string, unknown>> };
    expect(Date.parse(body.now)).not.toBeNaN();
    expect(body.exports.map((e) => [e['server_id'], e['condition']])).toEqual([
      ['srv-b', 'poll_failing'],
      ['srv-a', 'processing'],
    ]);
    const a = body.exports[1]!;
    expect(a).toMatchObject({
      project_id: PROJECT,
      export_id: '1',
      account: 'main',
      name: 'nightly',
      status: 'processing',
      poll_success: true,
      last_error: null,
    });
    expect(typeof a['percentage']).toBe('number');
    expect(body.exports[0]).toMatchObject({ poll_success: false, last_error: { reason: '500' } });
  });

  it('exits 1 on an invalid configuration, before polling anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cde-once-')), 'config.yaml');
    writeFileSync(file, 'accounts: {}\n');
    const cli = runCli(['--once', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('accounts: at least one account is required');
    expect(cli.stdout()).toBe('');
  });
});

describe('--wait', () => {
  it('polls on the schedule until every export completed: exit 0, plain progress lines when piped', async () => {
    const file = await setup([
      { server: 'srv-a', name: 'nightly', behaviour: running(1500) },
      { server: 'srv-b', behaviour: running(2500) },
    ]);
    const cli = runCli(['--wait', `--config.file=${file}`]);
    expect(await cli.exited).toBe(0);
    const err = cli.stderr();
    expect(err).not.toContain('\u001b');
    expect(err).toMatch(/^nightly \(srv-a\/1\): processing \d+%$/m);
    expect(err).toMatch(/^nightly \(srv-a\/1\): completed 100%$/m);
    expect(err).toMatch(/^srv-b\/1: completed 100%$/m);
    expect(err).toContain('clouddc-exporter: all 2 exports completed');
    // Each line is printed once: only changes are reported.
    const lines = err.trimEnd().split('\n');
    expect(new Set(lines).size).toBe(lines.length);
    expect(cli.stdout()).toMatch(/nightly\s+srv-a\s+1\s+main\s+completed\s+100%/);
    expect(sim!.requestCount).toBeGreaterThan(2);
  });

  it('exits 3 when an export failed', async () => {
    const file = await setup([
      { server: 'srv-a', behaviour: running(1500) },
      { server: 'srv-b', behaviour: { kind: 'progress', durationMs: 1500, failAtPercent: 50 } },
    ]);
    const cli = runCli(['--wait', '--output=json', `--config.file=${file}`]);
    expect(await cli.exited).toBe(3);
    const body = JSON.parse(cli.stdout()) as { exports: Array<Record<string, unknown>> };
    expect(body.exports.map((e) => [e['server_id'], e['condition']])).toEqual([
      ['srv-b', 'failed'],
      ['srv-a', 'completed'],
    ]);
    expect(cli.stderr()).toMatch(/^srv-b\/1: failed \d+%$/m);
    expect(cli.stderr()).toContain('clouddc-exporter: 1 of 2 exports failed: srv-b/1');
  });

  it('exits 1 when --timeout runs out with an export still processing', async () => {
    const file = await setup([
      { server: 'srv-a', behaviour: running(1000) },
      { server: 'srv-b', behaviour: { kind: 'progress', durationMs: 1000, stallAtPercent: 30 } },
    ]);
    const started = Date.now();
    const cli = runCli(['--wait', '--timeout=2s', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(cli.stderr()).toContain('clouddc-exporter: --timeout: gave up after 2s; 1 of 2 exports not finished: srv-b/1');
    expect(cli.stdout()).toMatch(/srv-b\s+1\s+main\s+processing\s+30%/);
  });

  it('stops cleanly on SIGTERM: prints the table it has and exits 143', async () => {
    const file = await setup([{ server: 'srv-a', behaviour: running() }]);
    const cli = runCli(['--wait', `--config.file=${file}`]);
    await cli.waitFor(/srv-a\/1: processing/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(143);
    expect(cli.stdout()).toMatch(/srv-a\s+1\s+main\s+processing/);
    expect(cli.stderr()).toContain('clouddc-exporter: interrupted');
  });
});
