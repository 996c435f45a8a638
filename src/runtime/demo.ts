import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile } from '../config/load.js';
import type { ExporterConfig } from '../domain/config.js';
import {
  DEMO_ACCESS_KEY,
  DEMO_PROJECT_ID,
  DEMO_ROTATED_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEMO_STALE_SECRET_KEY,
  DEMO_STUCK_SECONDS,
  DEMO_TOKEN,
  demoExports,
  demoGatewayAuth,
  startSimulator,
  type DemoAccount,
  type DemoExport,
  type Simulator,
} from '../simulator/index.js';
import { DEMO_ALERTS_YAML } from './demo-alerts.js';

export interface Demo {
  readonly simulator: Simulator;
  readonly config: ExporterConfig;
  /** The stuck threshold of the demo's alert rules, which its status page uses too. */
  readonly stuckAfterSeconds: number;
  /** The scripted cases, as the README lists them. */
  readonly cases: readonly DemoExport[];
  /** The temporary directory holding everything below; removed by close(). */
  readonly dir: string;
  /** The demo's config, written to a temporary directory so that reloads and `export start` can use it too. */
  readonly configFile: string;
  /** Its `export_files` directory. */
  readonly exportsDir: string;
  /**
   * Writes prometheus.yml (scraping `target`, host:port, at `metricsPath`) and the demo-scale alerts.yml; returns
   * the command that runs Prometheus with them.
   */
  writePrometheusConfig(target: string, metricsPath?: string, scheme?: string): Promise<string>;
  /** Stops the simulator and removes the temporary directory. */
  close(): Promise<void>;
  /** Removes the temporary directory at once (for process exit, when nothing async runs any more). */
  removeSync(): void;
}

/** The server the demo starts a log export for on its own, to show a new export appearing on the status page. */
export const DEMO_NEW_SERVER = '4c8e2a17-b3d9-4f60-a1e5-7d2b9c0f8e34';

/** Prometheus scrapes and evaluates as often as the demo polls, so every alert moves within seconds of the data. */
const PROMETHEUS_INTERVAL = '5s';

function demoAccount(account: DemoAccount, endpoint: string): Record<string, unknown> {
  const auth =
    account === 'demo'
      ? { token: DEMO_TOKEN }
      : account === 'demo-aksk'
        ? { access_key: DEMO_ACCESS_KEY, secret_key: DEMO_SECRET_KEY }
        : { access_key: DEMO_ROTATED_ACCESS_KEY, secret_key: DEMO_STALE_SECRET_KEY };
  return { region: 'cn-east-3', endpoint, project_id: DEMO_PROJECT_ID, auth, rate_limit: { requests_per_second: 20, burst: 20 } };
}

/**
 * `--demo`: a simulator on 127.0.0.1 with scripted exports, and a config file pointing at it that polls every 5 s
 * so every case shows within a minute, with `export_files: [exports.d/*.yaml]`.
 */
export async function startDemo(now: number = Date.now()): Promise<Demo> {
  const scripted = demoExports(DEMO_PROJECT_ID, now);
  const simulator = await startSimulator({ authenticate: demoGatewayAuth().authenticate, exports: scripted });
  const dir = await mkdtemp(join(tmpdir(), 'clouddc-demo-'));
  const close = async (): Promise<void> => {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  };
  const exportsDir = join(dir, 'exports.d');
  await mkdir(exportsDir);
  const configFile = join(dir, 'demo.yaml');
  const accounts: DemoAccount[] = ['demo', 'demo-aksk', 'rotated-key'];
  const yaml = {
    poll: { schedule: '*/5 * * * * *', concurrency: 4, timeout: '5s', retries: 1, backoff_initial: '200ms', backoff_max: '2s', spread: false },
    retention: { completed: '24h', not_found: '1h' },
    accounts: Object.fromEntries(accounts.map((a) => [a, demoAccount(a, simulator.url)])),
    exports: scripted.map((e) => ({
      server_id: e.serverId,
      export_id: e.exportId,
      name: e.name,
      account: e.account,
      labels: { scenario: e.scenario },
    })),
    export_files: ['exports.d/*.yaml'],
  };
  await writeFile(configFile, `# Written by clouddc-exporter --demo; removed with the temporary directory.\n${stringify(yaml)}`);
  const loaded = await loadConfigFile(configFile, {});
  if (!loaded.ok) {
    await close();
    throw new Error(`demo configuration: ${loaded.problems.join('; ')}`);
  }
  return {
    simulator,
    config: loaded.value,
    cases: scripted,
    stuckAfterSeconds: DEMO_STUCK_SECONDS,
    dir,
    configFile,
    exportsDir,
    async writePrometheusConfig(target, metricsPath = '/metrics', scheme = 'http') {
      const file = join(dir, 'prometheus.yml');
      const prometheus = {
        global: { scrape_interval: PROMETHEUS_INTERVAL, evaluation_interval: PROMETHEUS_INTERVAL },
        rule_files: ['alerts.yml'],
        scrape_configs: [
          {
            job_name: 'clouddc-exporter',
            ...(metricsPath !== '/metrics' && { metrics_path: metricsPath }),
            ...(scheme !== 'http' && { scheme, tls_config: { insecure_skip_verify: true } }),
            static_configs: [{ targets: [target] }],
          },
        ],
      };
      await writeFile(join(dir, 'alerts.yml'), DEMO_ALERTS_YAML);
      await writeFile(file, `# Written by clouddc-exporter --demo; removed with the temporary directory.\n${stringify(prometheus)}`);
      return `prometheus --config.file=${file} --storage.tsdb.path=${join(dir, 'prometheus-data')}`;
    },
    close,
    removeSync: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The command a user runs to start an export the demo then tracks, as the demo does once by itself.
 * @public main.ts reads it from a module it imports dynamically, which the dead-code check cannot follow.
 */
export function demoStartArgs(demo: Pick<Demo, 'configFile' | 'exportsDir'>, serverId: string = DEMO_NEW_SERVER): string[] {
  return [
    'export',
    'start',
    `--config.file=${demo.configFile}`,
    '--account=demo',
    `--server=${serverId}`,
    `--track-file=${join(demo.exportsDir, 'started.yaml')}`,
    '--name=started-{export_id}',
    '--label=scenario=started_by_demo',
  ];
}
