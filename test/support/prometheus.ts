import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real Prometheus and Alertmanager daemons for tests (Debian packages `prometheus` and
 * `prometheus-alertmanager`). Everything listens on 127.0.0.1 on a free port, keeps its data in a
 * temporary directory, and is bounded in time: start-up, every HTTP call and shutdown have timeouts.
 * Daemons are stopped by PID; a safety net kills any still running when the test process exits.
 */

export interface Daemon {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** host:port, as a scrape or alerting target. */
  readonly address: string;
  readonly pid: number;
  /** The last 64 KiB the daemon logged (stdout and stderr), for failure messages. */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the temporary directory. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface QueryAnswer {
  /** HTTP status of the API answer: 200, or 400 for an invalid expression, 422 for an evaluation error. */
  readonly httpStatus: number;
  readonly status: 'success' | 'error';
  readonly errorType?: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: QueryResultEntry[] };
}

export interface QueryResultEntry {
  readonly metric: Record<string, string>;
  /** Instant queries. */
  readonly value?: [number, string];
  /** Range queries. */
  readonly values?: Array<[number, string]>;
}

export interface Prometheus extends Daemon {
  /** GET /api/v1/query; never throws for an HTTP error status (check `httpStatus`). */
  query(expr: string, time?: number): Promise<QueryAnswer>;
  /** GET /api/v1/query_range; times in Unix seconds, step in seconds. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<QueryAnswer>;
  /** Polls `expr` every 250 ms until `done(result)` is true; rejects after `timeoutMs` with the last answer and the logs. */
  waitFor(expr: string, done: (result: QueryResultEntry[]) => boolean, timeoutMs: number): Promise<QueryResultEntry[]>;
}

export interface PrometheusOptions {
  /** host:port targets of one scrape job. */
  readonly targets: readonly string[];
  /** Default "clouddc-exporter" (what the alert rules' `up{job=~".*clouddc-exporter.*"}` expects). */
  readonly job?: string;
  /** Target labels added to every scraped series, e.g. {cluster: "a"} as a Kubernetes service discovery would. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Default 1s. */
  readonly scrapeInterval?: string;
  /** Default 1s. */
  readonly evaluationInterval?: string;
  /** Absolute paths of rule files. */
  readonly ruleFiles?: readonly string[];
  /** host:port of Alertmanagers to send alerts to. */
  readonly alertmanagers?: readonly string[];
  /** Bound on start-up until /-/ready answers 200; default 15 s. */
  readonly readyTimeoutMs?: number;
  /** More command-line flags, e.g. --rules.alert.resend-delay=1s. */
  readonly extraArgs?: readonly string[];
}

export interface AlertmanagerOptions {
  /** Where the one receiver POSTs notifications. */
  readonly webhookUrl: string;
  /** Route timing; defaults 1s, 1s, 1h, and global resolve_timeout 5s. */
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly resolveTimeout?: string;
  readonly readyTimeoutMs?: number;
}

const HTTP_TIMEOUT_MS = 5000;
const LOG_LIMIT = 64 * 1024;
const running = new Set<ChildProcess>();
let safetyNet = false;

/** Whatever happens to the test, no daemon outlives the process that started it. */
function installSafetyNet(): void {
  if (safetyNet) return;
  safetyNet = true;
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A port that was free a moment ago; a daemon that then fails to bind it is restarted on another. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function fetchBounded(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
}

interface SpawnSpec {
  readonly name: string;
  readonly command: string;
  /** Arguments for a daemon on `port`, with its files in `dir`. */
  args(port: number, dir: string): string[];
  /** Writes config files into `dir` before each start. */
  prepare(dir: string): Promise<void>;
  readonly readyTimeoutMs: number;
}

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly dir: string;
  logs(): string;
}

async function spawnDaemon(spec: SpawnSpec): Promise<Started> {
  installSafetyNet();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), `${spec.name}-`));
    await spec.prepare(dir);
    const port = await freePort();
    const child = spawn(spec.command, spec.args(port, dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let log = '';
    const append = (d: Buffer) => {
      log = (log + d.toString()).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exited: string | undefined;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = `exited with ${code ?? signal}`;
        running.delete(child);
        resolve();
      });
      child.once('error', (err) => {
        exited = `failed to start: ${err.message}`;
        running.delete(child);
        resolve();
      });
    });
    const deadline = Date.now() + spec.readyTimeoutMs;
    let ready = false;
    while (exited === undefined && Date.now() < deadline) {
      try {
        const res = await fetchBounded(`http://127.0.0.1:${port}/-/ready`);
        await res.arrayBuffer();
        if (res.status === 200) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (ready) return { child, port, dir, logs: () => log };
    if (exited === undefined) {
      child.kill('SIGKILL');
      await exit;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs} ms; log:\n${log}`);
    }
    await rm(dir, { recursive: true, force: true });
    lastError = new Error(`${spec.name} ${exited}; log:\n${log}`);
    // Someone took the port between freePort() and the bind: try another one.
    if (!/address already in use/i.test(log)) break;
  }
  throw lastError ?? new Error(`${spec.name} did not start`);
}

function daemon(started: Started): Daemon {
  const { child, port, dir } = started;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    logs: started.logs,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          try {
            process.kill(child.pid!, 'SIGTERM');
          } catch {
            // exited meanwhile; the exit event still comes
          }
          const timer = setTimeout(() => {
            try {
              process.kill(child.pid!, 'SIGKILL');
            } catch {
              // exited meanwhile
            }
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        running.delete(child);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  const config = {
    global: { scrape_interval: opts.scrapeInterval ?? '1s', evaluation_interval: opts.evaluationInterval ?? '1s', scrape_timeout: '1s' },
    rule_files: [...(opts.ruleFiles ?? [])],
    ...(opts.alertmanagers?.length && {
      alerting: { alertmanagers: [{ static_configs: [{ targets: [...opts.alertmanagers] }] }] },
    }),
    scrape_configs: [
      { job_name: opts.job ?? 'clouddc-exporter', static_configs: [{ targets: [...opts.targets], ...(opts.labels && { labels: opts.labels }) }] },
    ],
  };
  const started = await spawnDaemon({
    name: 'prometheus',
    command: 'prometheus',
    // JSON is YAML.
    prepare: (dir) => writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2)),
    args: (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.extraArgs ?? []),
    ],
    readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
  });
  const base = daemon(started);

  async function api(path: string, params: Record<string, string>): Promise<QueryAnswer> {
    const res = await fetchBounded(`${base.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    const body = (await res.json()) as Omit<QueryAnswer, 'httpStatus'>;
    return { httpStatus: res.status, ...body };
  }

  return {
    ...base,
    query: (expr, time) => api('/api/v1/query', { query: expr, ...(time !== undefined && { time: String(time) }) }),
    queryRange: (expr, start, end, step) => api('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) }),
    async waitFor(expr, done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: QueryAnswer | undefined;
      for (;;) {
        try {
          last = await api('/api/v1/query', { query: expr });
          const result = last.data?.result ?? [];
          if (last.status === 'success' && done(result)) return result;
        } catch {
          // keep polling until the deadline
        }
        if (Date.now() >= deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}; last answer: ${JSON.stringify(last)}\nprometheus log:\n${base.logs()}`);
        }
        await sleep(250);
      }
    },
  };
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<Daemon> {
  const config = {
    global: { resolve_timeout: opts.resolveTimeout ?? '5s' },
    route: {
      receiver: 'webhook',
      // Every alert is its own group: each one's firing and resolved notifications are independent.
      group_by: ['...'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: opts.webhookUrl, send_resolved: true }] }],
  };
  const started = await spawnDaemon({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    prepare: (dir) => writeFile(join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2)),
    args: (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      // Without this, the gossip listener binds 0.0.0.0:9094.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
  });
  return daemon(started);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
