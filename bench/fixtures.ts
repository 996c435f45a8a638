import { pino } from 'pino';
import { Secret } from '../src/domain/secret.js';
import type { AccountSettings, ExporterConfig, PollSettings } from '../src/domain/config.js';
import type { ExportTarget } from '../src/domain/export.js';

/** Shared by the bench process and its children, so both sides agree on the 10,000 exports. */
export const EXPORTS = 10_000;
/** Figure 8's fleet: ten ListServers pages of 1,000, the first 10,000 being the exports' servers. */
export const SERVERS = 10_000;
export const BENCH_TOKEN = 'MIIbench-clouddc-exporter-token';
export const BENCH_PROJECT = '0123456789abcdef0123456789abcdef';
/** Long enough that no export completes (completed exports are not polled again) during a run. */
export const PROGRESS_DURATION_MS = 24 * 3600 * 1000;

export const silentLogger = pino({ level: 'silent' });

/** Distinct server per export and two custom labels each, as a realistic config would have. */
export function benchTargets(n: number): ExportTarget[] {
  return Array.from({ length: n }, (_, i) => ({
    projectId: BENCH_PROJECT,
    serverId: `6f1a2b3c-4d5e-4f70-8192-${i.toString(16).padStart(12, '0')}`,
    exportId: String(100_000 + i),
    account: 'bench',
    name: `bmc-${i}`,
    labels: { env: i % 3 === 0 ? 'staging' : 'production', team: `team-${i % 16}` },
  }));
}

export function benchAccount(endpoint: string): AccountSettings {
  return {
    name: 'bench',
    region: 'cn-east-3',
    endpoint,
    projectId: BENCH_PROJECT,
    auth: { kind: 'token', source: 'test', token: { kind: 'inline', value: new Secret(BENCH_TOKEN) } },
    rateLimit: { requestsPerSecond: 100_000, burst: 100_000 },
  };
}

/**
 * The schedule never fires: every cycle is started by hand, all at once (no spreading over the
 * interval). Retries are off so a failure cannot hide.
 */
export function benchPoll(overrides: Partial<PollSettings> = {}): PollSettings {
  return {
    schedule: '0 0 1 1 *',
    concurrency: 64,
    timeoutMs: 10_000,
    retries: 0,
    backoffInitialMs: 100,
    backoffMaxMs: 1000,
    spread: false,
    ...overrides,
  };
}

export function benchConfig(endpoint: string, exports: ExportTarget[], poll: Partial<PollSettings> = {}): ExporterConfig {
  const account = benchAccount(endpoint);
  return {
    poll: benchPoll(poll),
    retention: { completedMs: 86_400_000, notFoundMs: 3_600_000, failedMs: 7 * 86_400_000 },
    accounts: new Map([[account.name, account]]),
    exports,
  };
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}
