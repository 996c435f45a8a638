import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile } from '../config/load.js';
import type { ExporterConfig } from '../domain/config.js';
import { DEMO_PROJECT_ID, DEMO_TOKEN, demoExports, startSimulator, type Simulator } from '../simulator/index.js';

export interface Demo {
  readonly simulator: Simulator;
  readonly config: ExporterConfig;
  /** The demo's config, written to a temporary directory so that reloads and `export start` can use it too. */
  readonly configFile: string;
  /** Its `export_files` directory. */
  readonly exportsDir: string;
  /** Stops the simulator and removes the temporary directory. */
  close(): Promise<void>;
  /** Removes the temporary directory at once (for process exit, when nothing async runs any more). */
  removeSync(): void;
}

/** The server the demo starts a log export for on its own, to show a new export appearing on the status page. */
export const DEMO_NEW_SERVER = '4c8e2a17-b3d9-4f60-a1e5-7d2b9c0f8e34';

/**
 * `--demo`: a simulator on 127.0.0.1 with scripted exports, and a config file pointing at it that polls every 5 s
 * so every metric moves within a minute, with `export_files: [exports.d/*.yaml]`.
 */
export async function startDemo(now: number = Date.now()): Promise<Demo> {
  const scripted = demoExports(DEMO_PROJECT_ID, now);
  const simulator = await startSimulator({ token: DEMO_TOKEN, exports: scripted });
  const dir = await mkdtemp(join(tmpdir(), 'clouddc-demo-'));
  const exportsDir = join(dir, 'exports.d');
  await mkdir(exportsDir);
  const configFile = join(dir, 'demo.yaml');
  const yaml = {
    poll: { schedule: '*/5 * * * * *', concurrency: 4, timeout: '5s', retries: 1, backoff_initial: '200ms', backoff_max: '2s', spread: false },
    retention: { completed: '24h', not_found: '1h' },
    accounts: {
      demo: {
        region: 'cn-east-3',
        endpoint: simulator.url,
        project_id: DEMO_PROJECT_ID,
        auth: { token: DEMO_TOKEN },
        rate_limit: { requests_per_second: 20, burst: 20 },
      },
    },
    exports: scripted.map((e) => ({ server_id: e.serverId, export_id: e.exportId, name: e.name, labels: { scenario: e.name.replace(/-bmc$/, '') } })),
    export_files: ['exports.d/*.yaml'],
  };
  await writeFile(configFile, `# Written by clouddc-exporter --demo; removed with the temporary directory.\n${stringify(yaml)}`);
  const loaded = await loadConfigFile(configFile, {});
  if (!loaded.ok) {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`demo configuration: ${loaded.problems.join('; ')}`);
  }
  const close = async (): Promise<void> => {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { simulator, config: loaded.config, configFile, exportsDir, close, removeSync: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The command a user runs to start an export the demo then tracks, as the demo does once by itself. */
export function demoStartArgs(demo: Demo, serverId: string = DEMO_NEW_SERVER): string[] {
  return [
    'export',
    'start',
    `--config.file=${demo.configFile}`,
    `--server=${serverId}`,
    `--track-file=${join(demo.exportsDir, 'started.yaml')}`,
    '--name=started-{export_id}',
    '--label=scenario=started-by-demo',
  ];
}

/** Starts one export through `export start --track-file`, exactly as a user would; returns its exit code. */
export async function startDemoExport(demo: Demo): Promise<number> {
  const quiet = { write: () => true };
  const { runExportCommand } = await import('../cli/export/index.js');
  return runExportCommand(demoStartArgs(demo).slice(1), { stdout: quiet, stderr: quiet, signal: new AbortController().signal, env: {} });
}
