import type { Logger } from 'pino';
import { authenticatorFor } from '../../clouddc/auth/methods.js';
import { createAccountClient, type AccountClient } from '../../clouddc/client.js';
import { createLogApi, type LogApi } from '../../clouddc/log-api.js';
import type { ApiObserver } from '../../clouddc/observer.js';
import { loadAccountConfigFile } from '../../config/load.js';
import type { AccountSettings, ExporterConfig } from '../../domain/config.js';
import { USER_AGENT } from '../../version.js';
import type { Result } from '../../domain/result.js';

const NO_API_OBSERVER: ApiObserver = { onRequest() {}, onRetry() {}, onRateLimit() {}, onThrottleWait() {} };

/** What every `export` subcommand works with: one account of the config file and the clients for it. */
export interface ExportContext {
  readonly config: ExporterConfig;
  readonly account: AccountSettings;
  readonly api: LogApi;
  /** ShowLogsExportStatus, exactly as the exporter polls it. */
  readonly status: AccountClient;
  close(): Promise<void>;
}

export type ContextResult = Result<ExportContext>;

export function pickAccount(config: ExporterConfig, name: string | undefined): AccountSettings | string {
  const names = [...config.accounts.keys()];
  if (name !== undefined) return config.accounts.get(name) ?? `--account: no account "${name}" in the config (known: ${names.join(', ')})`;
  if (names.length === 1) return config.accounts.get(names[0] as string) as AccountSettings;
  return `--account: the config has ${names.length} accounts (${names.join(', ')}); say which one to use`;
}

export async function openContext(
  configFile: string,
  accountName: string | undefined,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ContextResult> {
  const loaded = await loadAccountConfigFile(configFile, accountName, env);
  if (!loaded.ok) return { ok: false, problems: 'account' in loaded ? [loaded.account] : [`${configFile}: invalid configuration`, ...loaded.problems] };
  const config = loaded.value;
  const account = pickAccount(config, accountName);
  if (typeof account === 'string') return { ok: false, problems: [account] };
  const child = logger.child({ account: account.name });
  const authenticator = authenticatorFor(account, { logger: child, timeoutMs: config.poll.timeoutMs });
  const api = createLogApi({ account, poll: config.poll, authenticator, userAgent: USER_AGENT, logger: child });
  const status = createAccountClient({ account, poll: config.poll, userAgent: USER_AGENT, authenticator, observer: NO_API_OBSERVER, logger: child });
  return { ok: true, value: { config, account, api, status, close: () => status.close() } };
}
