import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../../src/cli/export/index.js';
import { safeToRetryStart } from '../../../src/clouddc/log-api.js';
import { startSimulator, type Simulator, type StartFault } from '../../../src/simulator/index.js';
import { configFor, TOKEN } from './support.js';

const S1 = 'srv-a';
const S2 = 'srv-b';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runExportCommand(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    signal: new AbortController().signal,
    env: {},
  });
  return { code, stdout, stderr };
}

async function startWith(faults: StartFault[], extra: string[] = []) {
  sim = await startSimulator({ token: TOKEN });
  sim.queueStartFaults(S1, faults);
  const cfg = configFor(sim.url);
  const result = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, ...extra]);
  const posts = sim.requests.filter((r) => r.op === 'start').length;
  return { ...result, posts, created: sim.startedExports.length, cfg };
}

describe('export start', () => {
  it('starts one export per server and prints a table', async () => {
    sim = await startSimulator({ token: TOKEN });
    const cfg = configFor(sim.url);
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, `--server=${S2}`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+EXPORT ID\s+ACCOUNT\s+STATUS\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      [S1, '1', 'main'],
      [S2, '2', 'main'],
    ]);
  });

  it('prints JSON with --output=json', async () => {
    sim = await startSimulator({ token: TOKEN });
    const cfg = configFor(sim.url);
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, '--output=json']);
    expect(JSON.parse(r.stdout)).toEqual([
      { server_id: S1, account: 'main', export_id: '1', status: 'processing', percentage: 0, created_at: expect.stringMatching(/^\d{4}-/) as unknown },
    ]);
  });

  it('retries 429s, which start nothing, and creates exactly one export', async () => {
    const r = await startWith([
      { kind: 'error', status: 429 },
      { kind: 'error', status: 429, body: { error_code: 'APIGW.0308', error_msg: 'throttled' } },
    ]);
    expect([r.code, r.posts, r.created]).toEqual([0, 3, 1]);
  });

  it.each([
    ['a 500 after the backend started the task', { kind: 'error', status: 500, created: true }],
    ['a 500 that started nothing', { kind: 'error', status: 500 }],
    ['a connection dropped after the request arrived', { kind: 'drop', created: true }],
    ['a 502 from a proxy', { kind: 'error', status: 502 }],
  ] as const)('does not retry %s, and says an export may exist', async (_name, fault) => {
    const r = await startWith([fault]);
    expect(r.code).toBe(1);
    expect(r.posts).toBe(1);
    expect(r.created).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/may have reached CloudDC, so an export may have been started/);
    expect(r.stdout).toMatch(/failed \(may have started\)/);
  });

  it('does not retry a 403 and says nothing was started', async () => {
    const r = await startWith([{ kind: 'error', status: 403 }]);
    expect([r.code, r.posts, r.created]).toEqual([1, 1, 0]);
    expect(r.stderr).toMatch(/HTTP 403 iMetal\.0004: .*; no export was started/);
  });

  it('retries a connection that could not be opened, up to the configured retries', async () => {
    // A port that was free a moment ago: nothing listens, so every connect is refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const cfg = configFor(`http://127.0.0.1:${port}`);
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, '--log.level=debug']);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/retrying ExportServerLogs after network error: ECONNREFUSED/g)).toHaveLength(2);
    expect(r.stderr).toMatch(/ECONNREFUSED.*; no export was started/);
  });

  it('never creates two exports, whatever mix of faults it meets', async () => {
    const faults: StartFault[][] = [
      [
        { kind: 'error', status: 429 },
        { kind: 'error', status: 500, created: true },
      ],
      [
        { kind: 'error', status: 429 },
        { kind: 'drop', created: true },
      ],
      [
        { kind: 'error', status: 429, retryAfter: '0' },
        { kind: 'error', status: 429 },
        { kind: 'error', status: 504, created: true },
      ],
    ];
    for (const list of faults) {
      const r = await startWith(list);
      expect(r.created).toBe(1);
      await sim?.close();
      sim = undefined;
    }
  });
});

describe('safeToRetryStart', () => {
  it('allows only failures that prove nothing reached the backend', () => {
    expect(safeToRetryStart({ reason: '429' })).toBe(true);
    expect(safeToRetryStart({ reason: 'network', code: 'ECONNREFUSED' })).toBe(true);
    expect(safeToRetryStart({ reason: 'network', code: 'ENOTFOUND' })).toBe(true);
    expect(safeToRetryStart({ reason: 'network', code: 'ECONNRESET' })).toBe(false);
    expect(safeToRetryStart({ reason: 'network', code: 'UND_ERR_SOCKET' })).toBe(false);
    expect(safeToRetryStart({ reason: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' })).toBe(false);
    expect(safeToRetryStart({ reason: '500' })).toBe(false);
    expect(safeToRetryStart({ reason: '503' })).toBe(false);
  });
});

describe('--account', () => {
  it("resolves only the chosen account's ${VAR}s: another account's unset variable does not stop it", async () => {
    sim = await startSimulator({ token: TOKEN });
    const cfg = configFor(
      sim.url,
      '  other:\n    region: cn-north-4\n    project_id: "${OTHER_PROJECT}"\n    auth:\n      token: ${OTHER_TOKEN}\n' +
        'exports:\n  - {server_id: x, export_id: 0x1F, account: other, name: "${OTHER_NAME}"}\n',
    );
    const ok = await run(['start', `--config.file=${cfg.file}`, '--account=main', `--server=${S1}`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(sim.startedExports).toHaveLength(1);
    const other = await run(['start', `--config.file=${cfg.file}`, '--account=other', `--server=${S1}`]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('accounts.other.auth.token: environment variable OTHER_TOKEN is not set');
    expect(other.stderr).not.toContain('OTHER_NAME');
    const unnamed = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`]);
    expect(unnamed.stderr).toBe('clouddc-exporter: --account: the config has 2 accounts (main, other); say which one to use\n');
    const unknown = await run(['start', `--config.file=${cfg.file}`, '--account=nope', `--server=${S1}`]);
    expect(unknown.stderr).toBe('clouddc-exporter: --account: no account "nope" in the config (known: main, other)\n');
    expect(sim.startedExports).toHaveLength(1);
  });
});

describe('--track-file', () => {
  it('appends the new exports to an export file, keeping what is there, with name and labels', async () => {
    sim = await startSimulator({ token: TOKEN });
    const cfg = configFor(sim.url);
    const track = join(cfg.dir, 'exports.d', 'started.yaml');
    const first = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, `--track-file=${track}`]);
    expect(first.code).toBe(0);
    writeFileSync(track, `# started by CI\n${readFileSync(track, 'utf8')}`);
    const second = await run([
      'start',
      `--config.file=${cfg.file}`,
      `--server=${S1}`,
      `--server=${S2}`,
      `--track-file=${track}`,
      '--name={server}-weekly',
      '--label=ticket=INC-42',
    ]);
    expect(second.code).toBe(0);
    const text = readFileSync(track, 'utf8');
    expect(text).toBe(
      '# started by CI\n' +
        '- server_id: srv-a\n  export_id: "1"\n  account: main\n' +
        '- server_id: srv-a\n  export_id: "2"\n  account: main\n  name: srv-a-weekly\n  labels:\n    ticket: INC-42\n' +
        '- server_id: srv-b\n  export_id: "3"\n  account: main\n  name: srv-b-weekly\n  labels:\n    ticket: INC-42\n',
    );
  });

  it('refuses a file that is not a list before starting anything, and leaves it alone', async () => {
    sim = await startSimulator({ token: TOKEN });
    const cfg = configFor(sim.url);
    const track = join(cfg.dir, 'odd.yaml');
    writeFileSync(track, 'a: 1\n');
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, `--track-file=${track}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('expected a YAML list of exports; not changed; no export was started');
    expect(sim.startedExports).toHaveLength(0);
    expect(readFileSync(track, 'utf8')).toBe('a: 1\n');
    expect(existsSync(`${track}.lock`)).toBe(false);
  });
});

describe('export start --wait --download', () => {
  it('waits for every export, downloads each bundle and exits 0', { timeout: 30_000 }, async () => {
    sim = await startSimulator({ token: TOKEN, newExportBehaviour: { kind: 'progress', durationMs: 1500 } });
    const cfg = configFor(sim.url);
    const out = join(cfg.dir, 'bundles');
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, `--server=${S2}`, '--wait', `--download=${out}`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('all 2 exports completed');
    const paths = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith(out));
    expect(paths.map((p) => p.slice(out.length + 1)).sort()).toEqual(['2102SRVA-dump.tar.gz', '2102SRVB-dump.tar.gz']);
    expect(sim.requests.filter((q) => q.op === 'download')).toHaveLength(2);
  });

  it('exits 3 when an export fails, and downloads nothing for it', { timeout: 30_000 }, async () => {
    sim = await startSimulator({ token: TOKEN, newExportBehaviour: { kind: 'progress', durationMs: 1500, failAtPercent: 40 } });
    const cfg = configFor(sim.url);
    const out = join(cfg.dir, 'bundles');
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, '--wait', `--download=${out}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/1 of 1 export failed/);
    expect(sim.requests.filter((q) => q.op === 'download')).toHaveLength(0);
  });

  it('exits 1 on --timeout', { timeout: 30_000 }, async () => {
    sim = await startSimulator({ token: TOKEN, newExportBehaviour: { kind: 'progress', durationMs: 600_000 } });
    const cfg = configFor(sim.url);
    const r = await run(['start', `--config.file=${cfg.file}`, `--server=${S1}`, '--wait', '--timeout=1500ms', `--download=${cfg.dir}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--timeout: gave up');
  });
});
