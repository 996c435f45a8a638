import type { AccountSettings, ExporterConfig, PollSettings } from '../../src/domain/config.js';
import type { ExportTarget } from '../../src/domain/export.js';
import { Secret } from '../../src/domain/secret.js';

export const PROJECT = '0123456789abcdef0123456789abcdef';
export const TOKEN = 'MIItest-token-value';

export function account(endpoint: string, overrides: Partial<AccountSettings> = {}): AccountSettings {
  return {
    name: 'main',
    region: 'cn-east-3',
    endpoint,
    projectId: PROJECT,
    auth: { kind: 'token', source: 'test', token: { kind: 'inline', value: new Secret(TOKEN) } },
    rateLimit: { requestsPerSecond: 10_000, burst: 10_000 },
    ...overrides,
  };
}

/** A schedule that never fires during a test: cycles are started by hand. */
export const NEVER = '0 0 1 1 *';

export function pollSettings(overrides: Partial<PollSettings> = {}): PollSettings {
  return { schedule: NEVER, concurrency: 4, timeoutMs: 2000, retries: 0, backoffInitialMs: 1, backoffMaxMs: 5, spread: false, ...overrides };
}

export function config(accounts: AccountSettings[], exports: ExportTarget[], poll: Partial<PollSettings> = {}): ExporterConfig {
  return {
    poll: pollSettings(poll),
    retention: { completedMs: 86_400_000, notFoundMs: 3_600_000, failedMs: 7 * 86_400_000 },
    accounts: new Map(accounts.map((a) => [a.name, a])),
    exports,
  };
}
