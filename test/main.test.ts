import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, runCli } from './support/cli.js';
import { HELP } from '../src/cli/flags.js';
import { startSimulator } from '../src/simulator/index.js';
import { PROJECT, TOKEN } from './support/config.js';
import { yamlConfig } from './support/yaml-config.js';
import { requireTool } from './support/tools.js';

requireTool('promtool');
/** What `npm run build` records as the revision: the checkout's commit (the suite runs in one). */
const GIT_HEAD = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';

/**
 * Runs the built CLI with a module resolve hook that records every module it loads: which modes load what is
 * observable without timing anything.
 */
function modulesLoaded(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; modules: string[] } {
  const log = join(mkdtempSync(join(tmpdir(), 'cde-modules-')), 'loaded.txt');
  writeFileSync(log, '');
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, MAIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return {
    status: run.status,
    stdout: run.stdout,
    modules: readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  };
}

/** Modules that only serving (or polling) needs; `--config.check` loads none. */
const SERVING = [
  /\/node_modules\/koa\//,
  /\/node_modules\/undici\//,
  /\/node_modules\/prom-client\//,
  /\/dist\/src\/runtime\/start\.js$/,
  /\/dist\/src\/simulator\//,
];

async function until<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('clouddc-exporter CLI', () => {
  it('runs the demo: prints its URLs, becomes ready, serves metrics, stops on SIGTERM with exit 0', async () => {
    const cli = runCli(['--demo', '--web.listen-address=127.0.0.1:0']);
    const [, metricsUrl] = await cli.waitFor(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    const base = metricsUrl!.replace(/\/metrics$/, '');
    await until(async () => ((await fetch(`${base}/-/ready`)).status === 200 ? true : undefined));
    const text = await (await fetch(metricsUrl!)).text();
    for (const family of [
      'clouddc_log_export_info',
      'clouddc_log_export_status',
      'clouddc_log_export_percentage',
      'clouddc_api_requests_total',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(text).toMatch(/clouddc_log_export_status\{[^}]*status="unknown"\} 1/);
    expect(text).toMatch(/clouddc_log_export_api_errors_total\{[^}]*code="invalid_response"\} [1-9]/);
    const buildInfo = new RegExp(`^clouddc_exporter_build_info\\{version="[^"]+",revision="${GIT_HEAD}",nodejs_version="${process.version}"\\} 1$`, 'm');
    expect(text, 'the revision the build recorded; run npm run build after a commit').toMatch(buildInfo);
    // The whole live exposition of the built binary passes the linter, default metrics included.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, '']);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // A clean stop, not the forced exit after 5 s (which exits 0 too, but says so and never logs "stopped").
    // logfmt by default, as Prometheus logs.
    expect(cli.stdout()).toMatch(/^time=\S+ level=info msg=stopped$/m);
    expect(cli.stdout()).not.toContain('shutdown took longer');
  });

  it('a taken port: exit 1 at once naming --web.listen-address (and npm start -- …), the demo directory removed', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const tmp = mkdtempSync(join(tmpdir(), 'cde-tmp-'));
    try {
      const started = Date.now();
      const cli = runCli(['--demo', `--web.listen-address=127.0.0.1:${port}`], { TMPDIR: tmp });
      expect(await cli.exited).toBe(1);
      expect(Date.now() - started, 'exits at once, not after a shutdown timeout').toBeLessThan(4_000);
      expect(cli.stderr()).toContain(`clouddc-exporter: cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(cli.stderr()).toContain('--web.listen-address=[host]:port');
      expect(cli.stderr()).toContain('npm start -- --web.listen-address=');
      expect(cli.stderr()).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      taken.close();
    }
  });

  it('the demo: no overrun warning at start, and SIGTERM removes its temporary directory', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cde-tmp-'));
    const cli = runCli(['--demo', '--web.listen-address=127.0.0.1:0'], { TMPDIR: tmp });
    await cli.waitFor(/Press Ctrl\+C to stop/);
    expect(readdirSync(tmp)).toHaveLength(1);
    // Two schedule ticks (5 s apart) after the start-up cycle.
    await new Promise((r) => setTimeout(r, 6_000));
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout() + cli.stderr()).not.toContain('overran');
    expect(cli.stdout()).not.toContain('configuration reloaded');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('--web.telemetry-path and --log.format=json: metrics at the given path, JSON log lines', async () => {
    const cli = runCli(['--demo', '--web.listen-address=127.0.0.1:0', '--web.telemetry-path=/x/metrics', '--log.format=json']);
    try {
      const [, metricsUrl] = await cli.waitFor(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/x\/metrics)\n/);
      expect(await (await fetch(metricsUrl!)).text()).toContain('# TYPE clouddc_log_export_status gauge');
      expect((await fetch(metricsUrl!.replace('/x/metrics', '/metrics'))).status).toBe(404);
      const started = JSON.parse((await cli.waitFor(/^\{.*"msg":"clouddc-exporter started".*\}$/m))[0]) as { level: string };
      expect(started.level).toBe('info');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('--config.check lists every problem as path: message, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cde-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'poll:\n  concurency: 4\n  timeout: soon\naccounts:\n  main:\n    region: cn-east-3\n    project_id: p\n    auth: {token: "${NOPE_UNSET}"}\nexports:\n  - export_id: "1"\n',
    );
    const cli = runCli(['--config.check', `--config.file=${file}`]);
    expect(await cli.exited).toBe(1);
    const err = cli.stderr();
    expect(err).toContain('poll.concurency: unknown key');
    expect(err).toContain('poll.timeout:');
    expect(err).toContain('accounts.main.auth.token: environment variable NOPE_UNSET is not set');
    expect(err).toContain('exports[0].server_id:');
    expect(err).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });

  it('--config.check refuses an invalid --metric-denylist pattern before reading the config: exit 2, the pattern named', async () => {
    const cli = runCli(['--config.check', '--config.file=config.example.yaml', '--metric-denylist=clouddc_(']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('--metric-denylist: "clouddc_(" is not a valid regular expression');
    const both = runCli(['--metric-allowlist=a', '--metric-denylist=b']);
    expect(await both.exited).toBe(2);
    expect(both.stderr()).toContain('mutually exclusive');
  });

  it('--config.check accepts the shipped example config', async () => {
    const cli = runCli(['--config.check', '--config.file=config.example.yaml'], { CLOUDDC_TOKEN: 'x' });
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/config\.example\.yaml: OK \(1 account\(s\), \d+ export\(s\)\)/);
    // Where the account's credentials come from, never the secret itself.
    expect(cli.stdout()).toContain('  account main: config: token\n');
  });

  it('--config.check says that auto_collect makes the exporter write, and which IAM actions it needs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cde-')), 'config.yaml');
    writeFileSync(
      file,
      'accounts:\n  main:\n    region: cn-east-3\n    project_id: p\n    auth: {token: t0k3n}\n    servers: {}\nauto_collect:\n  download:\n    dir: /var/tmp/b\n    max_bytes: 1GiB\n',
    );
    const cli = runCli(['--config.check', `--config.file=${file}`]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain(
      'auto_collect: this configuration makes the exporter write to CloudDC: it starts BMC log exports and downloads their bundles into /var/tmp/b; besides read access it needs the IAM action(s) clouddc:imetal:createDumpLog, clouddc:imetal:createDownloadLog, and --storage.path\n',
    );
  });

  it('--config.check warns about a schedule the rate limit cannot meet, naming both fixes, and still exits 0', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cde-')), 'config.yaml');
    const exports = Array.from({ length: 400 }, (_, i) => ({ server: `s${i}`, id: '1' }));
    writeFileSync(
      file,
      yamlConfig('http://127.0.0.1:9', exports)
        .replace('"0 0 1 1 *"', '"*/30 * * * * *"')
        .replace('requests_per_second: 10000, burst: 10000', 'requests_per_second: 10'),
    );
    const cli = runCli(['--config.check', `--config.file=${file}`]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/OK \(1 account\(s\), 400 export\(s\)\)/);
    expect(cli.stderr()).toBe(
      'warning: account "main": 400 exports at rate_limit 10 requests/s need at least 40 s per poll cycle, but poll.schedule ' +
        '"*/30 * * * * *" ticks every 30 s, so each export is polled about every 40 s instead. Fix: raise ' +
        'accounts.main.rate_limit.requests_per_second to at least 13.34 (if CloudDC allows that much), or lengthen poll.schedule to at least every 40 s\n',
    );
  });

  it('reloads on SIGHUP', async () => {
    const sim = await startSimulator({
      token: TOKEN,
      exports: ['a', 'b'].map((s) => ({ projectId: PROJECT, serverId: s, exportId: '1', behaviour: { kind: 'progress', durationMs: 1e6 } as const })),
    });
    const file = join(mkdtempSync(join(tmpdir(), 'cde-')), 'config.yaml');
    writeFileSync(file, yamlConfig(sim.url, [{ server: 'a', id: '1' }]));
    const cli = runCli([`--config.file=${file}`, '--config.auto-reload-interval=0s', '--web.listen-address=127.0.0.1:0']);
    try {
      const [, url] = await cli.waitFor(/ url=(http:\/\/127\.0\.0\.1:\d+)/);
      await until(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined));
      writeFileSync(file, yamlConfig(sim.url, [{ server: 'b', id: '1' }]));
      cli.child.kill('SIGHUP');
      await cli.waitFor(/configuration reloaded/);
      const text = await until(async () => {
        const t = await (await fetch(`${url}/metrics`)).text();
        return /clouddc_log_export_status\{[^}]*server_id="b"/.test(t) ? t : undefined;
      });
      expect(text).not.toContain('server_id="a"');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
      await sim.close();
    }
  });

  it('--version names the version, the revision the build recorded and Node.js', async () => {
    const cli = runCli(['--version']);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(new RegExp(`^clouddc-exporter \\d+\\.\\d+\\.\\d+\\S* \\(revision: ${GIT_HEAD}, node ${process.version}\\)\n$`));
  });

  it('exits 2 with usage on an unknown flag', async () => {
    const cli = runCli(['--bogus']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toBe(`clouddc-exporter: Unknown option '--bogus'\n\n${HELP}`);
    expect(cli.stdout()).toBe('');
  });

  it('refuses --once --wait as a usage error (exit 2) before reading any config', async () => {
    const cli = runCli(['--once', '--wait', '--config.file=/nonexistent/config.yaml']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/^clouddc-exporter: --once and --wait: give one of them/);
    expect(cli.stdout()).toBe('');
  });

  it('--help prints the usage to stdout and exits 0', async () => {
    const cli = runCli(['--help', '--config.file=/nonexistent.yaml']);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe(HELP);
    expect(cli.stderr()).toBe('');
  });

  it('--help and --version load only the flag parser, nothing of the exporter', () => {
    for (const flag of ['--help', '--version']) {
      const run = modulesLoaded([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/clouddc-exporter/);
      const ours = run.modules.filter((m) => m.includes('/dist/src/'));
      expect(ours.map((m) => m.replace(/^.*\/dist\/src\//, '')).sort(), flag).toEqual([
        'cli/exit-codes.js',
        'cli/flags.js',
        'cli/telemetry-path.js',
        'config/duration.js',
        // --metric-allowlist / --metric-denylist are checked while the flags are parsed: a pure module, no imports.
        'domain/family-filter.js',
        'main.js',
        'version.js',
      ]);
      expect(
        run.modules.filter((m) => m.includes('/node_modules/')),
        flag,
      ).toEqual([]);
    }
  });

  it('--config.check loads the config modules but not the server, the metrics or the simulator', () => {
    const run = modulesLoaded(['--config.check', '--config.file=config.example.yaml'], { CLOUDDC_TOKEN: 'x' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/config\.example\.yaml: OK/);
    expect(run.modules).toContainEqual(expect.stringMatching(/\/dist\/src\/config\/load\.js$/));
    for (const re of SERVING)
      expect(
        run.modules.filter((m) => re.test(m)),
        String(re),
      ).toEqual([]);
  });
});
