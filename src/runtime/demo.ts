import type { ExporterConfig } from '../domain/config.js';
import { Secret } from '../config/secret.js';
import { DEMO_PROJECT_ID, DEMO_TOKEN, demoExports, startSimulator, type Simulator } from '../simulator/index.js';

export interface Demo {
  readonly simulator: Simulator;
  readonly config: ExporterConfig;
}

/**
 * `--demo`: a simulator on 127.0.0.1 with scripted exports, and a config pointing at it that
 * polls every 5 s so every metric moves within a minute.
 */
export async function startDemo(now: number = Date.now()): Promise<Demo> {
  const scripted = demoExports(DEMO_PROJECT_ID, now);
  const simulator = await startSimulator({ token: DEMO_TOKEN, exports: scripted });
  const config: ExporterConfig = {
    poll: { schedule: '*/5 * * * * *', concurrency: 4, timeoutMs: 5000, retries: 1, backoffInitialMs: 200, backoffMaxMs: 2000, spread: false },
    retention: { completedMs: 24 * 3_600_000, notFoundMs: 3_600_000 },
    accounts: new Map([
      [
        'demo',
        {
          name: 'demo',
          region: 'cn-east-3',
          endpoint: simulator.url,
          projectId: DEMO_PROJECT_ID,
          auth: { kind: 'token', token: { kind: 'inline', value: new Secret(DEMO_TOKEN) } },
          rateLimit: { requestsPerSecond: 20, burst: 20 },
        },
      ],
    ]),
    exports: scripted.map((e) => ({
      projectId: e.projectId,
      serverId: e.serverId,
      exportId: e.exportId,
      account: 'demo',
      name: e.name,
      labels: { scenario: e.name.replace(/-bmc$/, '') },
    })),
  };
  return { simulator, config };
}
