import type { Logger } from 'pino';
import { Collector } from '../collect/collector.js';
import { Downloader } from '../collect/downloads.js';
import type { AccountClient } from '../clouddc/client.js';
import type { LogApi } from '../clouddc/log-api.js';
import type { AccountSettings, ExporterConfig, PollSettings } from '../domain/config.js';
import type { ExportTarget } from '../domain/export.js';
import type { ExportState } from '../domain/export-state.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';

/** What automatic collection needs of the running exporter. */
export interface AutoCollectHost {
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly config: () => ExporterConfig;
  /** The account's current poll client (a new object when a reload replaced the account). */
  readonly statusSource: (account: string) => Pick<AccountClient, 'fetchStatus'> | undefined;
  readonly makeStarter?: (account: AccountSettings, poll: PollSettings) => LogApi;
  /** Writes the state file now; false when it could not be written. */
  readonly persist?: () => Promise<boolean>;
  readonly stateOf: (id: string) => ExportState | undefined;
  /** Collection started or forgot an export. */
  readonly targetsChanged: () => void;
}

/**
 * `auto_collect` wired to the exporter: the collector (decisions on discovery rounds), the downloader (after poll
 * cycles), and one ExportServerLogs/DownloadServerLogs client per account, made when first needed and again when a
 * reload replaces the account.
 */
export class AutoCollect {
  readonly collector: Collector;
  readonly downloader: Downloader;
  readonly #host: AutoCollectHost;
  readonly #apis = new Map<string, { readonly for: object; readonly api: LogApi }>();

  constructor(host: AutoCollectHost) {
    this.#host = host;
    const persist = (): Promise<boolean> => host.persist?.() ?? Promise.resolve(true);
    const settings = (): ExporterConfig['autoCollect'] => host.config().autoCollect;
    this.collector = new Collector({
      logger: host.logger,
      settings,
      starterFor: (account) => this.#api(account),
      persist,
      targetsChanged: host.targetsChanged,
      count: (account, result) => host.metrics.autoCollect.decision(account, result),
      now: host.now,
      signal: host.signal,
    });
    this.downloader = new Downloader({
      logger: host.logger,
      collector: this.collector,
      settings,
      stateOf: host.stateOf,
      sourceFor: (account) => {
        const api = this.#api(account);
        const status = host.statusSource(account);
        return api && status && { api, status, config: host.config() };
      },
      count: (account, result) => host.metrics.autoCollect.download(account, result),
      persist,
      now: host.now,
      signal: host.signal,
    });
  }

  /** At start and on every reload: the counters of every account collection watches, at 0. */
  watch(config: ExporterConfig): void {
    if (config.autoCollect === undefined) return;
    for (const a of config.accounts.values())
      if (a.servers !== undefined) this.#host.metrics.autoCollect.watch(a.name, config.autoCollect.download !== undefined);
  }

  /** Collection's exports first: an export also listed in the config keeps the config's name and labels. */
  targets(config: ExporterConfig): ExportTarget[] {
    // An account removed from the config takes its automatic exports with it, as it does its configured ones.
    const auto = this.collector.targets().filter((t) => config.accounts.has(t.account));
    return auto.length === 0 ? [...config.exports] : [...auto, ...config.exports];
  }

  /** After a poll cycle: fetches completed bundles (in the background, one pass at a time); undefined when off. */
  afterCycle(): Promise<void> | undefined {
    return this.#host.config().autoCollect?.download === undefined ? undefined : this.downloader.run();
  }

  #api(account: string): LogApi | undefined {
    const settings = this.#host.config().accounts.get(account);
    const source = this.#host.statusSource(account);
    if (settings === undefined || source === undefined || this.#host.makeStarter === undefined) return undefined;
    const known = this.#apis.get(account);
    if (known?.for === source) return known.api;
    const api = this.#host.makeStarter(settings, this.#host.config().poll);
    this.#apis.set(account, { for: source, api });
    return api;
  }
}
