import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { AccountSettings, ExporterConfig, PollSettings } from '../domain/config.js';
import { exportKeyId, type ExportTarget } from '../domain/export.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import { createCycleRunner, type CycleRunner } from '../poller/cycle-runner.js';
import { spreadWindowMs, type Tick } from '../poller/pacing.js';
import { runPollCycle, type StatusSource } from '../poller/poll-cycle.js';
import { scheduleIntervalSeconds } from '../poller/schedule-interval.js';
import { startSchedule, type Schedule } from '../poller/scheduler.js';
import { ExportStore } from '../store/export-store.js';
import { EXPORT_FAMILIES, Exposition, FleetExposition, type ScrapeLease } from '../exposition/exposition.js';
import { FleetRunner } from '../fleet/fleet-runner.js';
import type { FleetSource } from '../fleet/discovery.js';
import type { ExportState } from '../domain/export-state.js';
import { longestBackoffChainMs } from '../clouddc/retry.js';
import { accountFingerprint } from './account-diff.js';
import type { Collector } from '../collect/collector.js';
import type { Downloader } from '../collect/downloads.js';
import type { LogApi } from '../clouddc/log-api.js';
import { AutoCollect } from './auto-collect.js';

export interface AccountSource extends StatusSource {
  close(): Promise<void>;
}

export type SourceFactory = (account: AccountSettings, poll: PollSettings) => AccountSource;

export interface ExporterDeps {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
  readonly makeSource: SourceFactory;
  /** Milliseconds since the epoch; tests pass a fake. */
  readonly now?: () => number;
  /** Called after every finished cycle, e.g. to persist state. Must not throw. */
  readonly afterCycle?: (states: Iterable<ExportState>) => Promise<unknown>;
  /** Writes the state file now (auto_collect, before and after a start); false when it could not be written. */
  readonly persistNow?: () => Promise<boolean>;
  /** ExportServerLogs for auto_collect, one per account, made when first needed. */
  readonly makeStarter?: (account: AccountSettings, poll: PollSettings) => LogApi;
  /** Whether a metric family is exposed (--metric-allowlist / --metric-denylist); all when absent. */
  readonly includeFamily?: (name: string) => boolean;
  /** Whether this replica exports a discovered server (its shard); all when absent. */
  readonly ownsServer?: (projectId: string, serverId: string) => boolean;
  /** Monotonic ms for discovery round durations (golden-file tests freeze it). */
  readonly durationClock?: () => number;
}

function fleetSource(source: AccountSource | undefined): FleetSource | undefined {
  return source !== undefined && typeof (source as Partial<FleetSource>).fetchJson === 'function' ? (source as AccountSource & FleetSource) : undefined;
}

interface SourceEntry {
  readonly source: AccountSource;
  readonly fingerprint: string;
}

export interface ApplyResult {
  readonly added: number;
  readonly removed: number;
  readonly accountsReplaced: number;
}

/**
 * The running exporter: tracked exports, one API client per account, and the poll schedule.
 * Owns no sockets of its own; the HTTP layer reads from it.
 */
export class Exporter {
  readonly #exposition: Exposition;
  readonly store: ExportStore;
  /** Server discovery (`servers:` per account); its series follow the per-export ones. */
  readonly fleet: FleetRunner;
  readonly runner: CycleRunner;
  /** auto_collect: starts exports for servers that turn unhealthy; its exports are tracked with the config's. */
  readonly collector: Collector;
  /** auto_collect.download: fetches the bundles of the exports collection started. */
  readonly downloader: Downloader;
  readonly #auto: AutoCollect;
  readonly #deps: ExporterDeps;
  readonly #now: () => number;
  #sources = new Map<string, SourceEntry>();
  readonly #abort = new AbortController();
  readonly #background = new Set<Promise<unknown>>();
  #config: ExporterConfig;
  #schedule: Schedule | undefined;
  #cyclesFinished = 0;

  constructor(deps: ExporterDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#now = deps.now ?? Date.now;
    const include = deps.includeFamily ?? (() => true);
    const fleetExposition = new FleetExposition(include);
    this.#exposition = new Exposition({
      head: () => deps.metrics.registry.metrics(),
      families: EXPORT_FAMILIES.filter((f) => include(f.name)),
      tail: () => fleetExposition.chunks(),
    });
    this.#auto = new AutoCollect({
      logger: deps.logger,
      metrics: deps.metrics,
      now: this.#now,
      signal: this.#abort.signal,
      config: () => this.#config,
      statusSource: (account) => this.#sources.get(account)?.source,
      ...(deps.makeStarter && { makeStarter: deps.makeStarter }),
      ...(deps.persistNow && { persist: deps.persistNow }),
      stateOf: (id) => this.store.get(id),
      targetsChanged: () => this.#syncTargets(),
    });
    this.collector = this.#auto.collector;
    this.downloader = this.#auto.downloader;
    this.fleet = new FleetRunner({
      logger: deps.logger,
      sourceFor: (account) => fleetSource(this.#sources.get(account)?.source),
      owns: deps.ownsServer ?? (() => true),
      listener: {
        fleetChanged: (fleet) => {
          fleetExposition.fleetChanged(fleet);
          this.collector.fleetChanged(fleet);
        },
        fleetRemoved: (account) => fleetExposition.fleetRemoved(account),
      },
      now: this.#now,
      ...(deps.durationClock && { clock: deps.durationClock }),
    });
    this.store = new ExportStore(this.#exposition);
    // Waits of a cycle (pacing, a free slot) and the polls in flight listen on this one signal, cycles by the schedule
    // and by a reload at once. That is by design and each removes its listener, so Node's leak warning above 10 does
    // not apply.
    setMaxListeners(0, this.#abort.signal);
    this.#replaceSources(deps.config);
    this.fleet.apply(deps.config);
    this.#auto.watch(deps.config);
    this.store.sync(this.#auto.targets(deps.config));
    deps.metrics.trackedExports.set(this.store.size);
    deps.metrics.pollInterval.set(scheduleIntervalSeconds(deps.config.poll.schedule));
    this.runner = createCycleRunner(
      (tick) => this.#cycle(tick),
      () => {
        deps.metrics.cyclesSkipped.inc();
        deps.logger.warn('poll cycle overran its interval: the next cycle starts as soon as this one ends');
      },
    );
  }

  get config(): ExporterConfig {
    return this.#config;
  }

  /** True once the first poll cycle has finished. */
  get ready(): boolean {
    return this.#cyclesFinished > 0;
  }

  start(): void {
    this.#schedule = startSchedule(this.#config.poll.schedule, this.runner, this.#deps.logger);
    this.fleet.start();
  }

  /** Runs one cycle now (used by tests and one-shot modes), skipping if one is running. */
  pollOnce(): Promise<void> {
    return this.runner.tick();
  }

  /**
   * Switches to a new, already validated config without losing anything that stays: unchanged
   * exports keep state and counters, unchanged accounts keep their client (and its tokens).
   * Added exports are polled at once; removed ones lose their series immediately.
   */
  async applyConfig(next: ExporterConfig): Promise<ApplyResult> {
    const previous = this.#config;
    this.#config = next;
    const accountsReplaced = this.#replaceSources(next);
    this.fleet.apply(next);
    this.#auto.watch(next);
    const { added, removed } = this.store.sync(this.#auto.targets(next));
    this.#deps.metrics.trackedExports.set(this.store.size);
    if (next.poll.schedule !== previous.poll.schedule) {
      this.#deps.metrics.pollInterval.set(scheduleIntervalSeconds(next.poll.schedule));
    }
    if (this.#schedule && next.poll.schedule !== previous.poll.schedule) {
      await this.#schedule.stop();
      this.#schedule = startSchedule(next.poll.schedule, this.runner, this.#deps.logger);
    }
    if (this.#schedule && added.length > 0) this.#track(this.#pollSubset(added));
    return { added: added.length, removed: removed.length, accountsReplaced };
  }

  /**
   * Stops ticking, gives in-flight polls `graceMs` to finish, then aborts them, and closes the
   * API clients. Polls that were aborted are not recorded.
   */
  async stop(graceMs: number): Promise<void> {
    await this.#schedule?.stop();
    this.#schedule = undefined;
    this.runner.cancelLate();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all([this.runner.idle(), ...this.#background]), grace]);
    clearTimeout(timer);
    this.#abort.abort();
    await this.fleet.stop();
    await this.collector.idle();
    await Promise.allSettled([this.runner.idle(), ...this.#background]);
    await Promise.allSettled([...this.#sources.values()].map((s) => s.source.close()));
  }

  /** Full exposition: prom-client's own metrics, then the pre-rendered per-export families. */
  scrape(opts: { readonly gzip: boolean }): Promise<ScrapeLease> {
    return this.#exposition.scrape(this.#now() / 1000, opts);
  }

  /** The same as one string (tests and one-shot output). */
  async metricsText(): Promise<string> {
    const lease = await this.scrape({ gzip: false });
    try {
      return Buffer.concat(lease.chunks).toString('utf8');
    } finally {
      lease.release();
    }
  }

  /** Keeps clients whose account did not change; returns how many were created or replaced. */
  #replaceSources(config: ExporterConfig): number {
    const next = new Map<string, SourceEntry>();
    let replaced = 0;
    for (const account of config.accounts.values()) {
      const fingerprint = accountFingerprint(account);
      const old = this.#sources.get(account.name);
      if (old && old.fingerprint === fingerprint) {
        next.set(account.name, old);
      } else {
        next.set(account.name, { source: this.#deps.makeSource(account, config.poll), fingerprint });
        if (old) replaced++;
      }
    }
    const retiredSources = [...this.#sources.values()].filter((e) => ![...next.values()].includes(e));
    for (const name of this.#sources.keys()) {
      // After in-flight polls of the old client end, or their reports would bring the series back.
      if (!next.has(name)) this.#track(this.runner.idle().then(() => this.#deps.metrics.forgetAccount(name)));
    }
    this.#sources = next;
    // Polls already in flight on an old client finish first; only then is it closed.
    if (retiredSources.length > 0) {
      this.#track(this.runner.idle().then(() => Promise.allSettled(retiredSources.map((e) => e.source.close()))));
    }
    return replaced;
  }

  /** After collection started (or forgot) an export: tracked at once, and polled at once when running. */
  #syncTargets(): void {
    const { added } = this.store.sync(this.#auto.targets(this.#config));
    this.#deps.metrics.trackedExports.set(this.store.size);
    if (this.#schedule && added.length > 0) this.#track(this.#pollSubset(added));
  }

  /** Restores collection's memory from the state file, and tracks the exports it started. */
  restoreAutoCollect(raw: unknown): number | string {
    const taken = this.collector.restore(raw);
    this.#syncTargets();
    return taken;
  }

  #track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  #pollSubset(targets: readonly ExportTarget[]): Promise<unknown> {
    return runPollCycle({
      store: this.store,
      sourceFor: (account) => this.#sources.get(account)?.source,
      concurrency: this.#config.poll.concurrency,
      now: this.#now,
      logger: this.#deps.logger,
      signal: this.#abort.signal,
      only: new Set(targets.map(exportKeyId)),
    });
  }

  async #cycle(tick?: Tick): Promise<void> {
    const { metrics, logger } = this.#deps;
    const poll = this.#config.poll;
    const summary = await runPollCycle({
      store: this.store,
      sourceFor: (account) => this.#sources.get(account)?.source,
      concurrency: this.#config.poll.concurrency,
      now: this.#now,
      logger,
      signal: this.#abort.signal,
      spreadMs: spreadWindowMs(this.#config.poll.spread, tick, longestBackoffChainMs(poll.retries, poll.backoffInitialMs, poll.backoffMaxMs)),
      spreadFrom: this.#now() - (tick?.lateMs ?? 0),
    });
    if (this.#abort.signal.aborted) return;
    this.#cyclesFinished++;
    metrics.cycleDuration.set(summary.durationMs / 1000);
    metrics.cyclesTotal.inc();
    metrics.lastCycleTimestamp.set(this.#now() / 1000);
    logger.debug(summary, 'poll cycle finished');
    for (const { id, reason } of this.store.retireDue(this.#now() / 1000, this.#config.retention)) {
      logger.info({ export: id, reason }, `export retired: its series are dropped and it is no longer polled (${reason})`);
    }
    await this.#deps.afterCycle?.(this.store.states());
    const downloads = this.#auto.afterCycle();
    if (downloads !== undefined) this.#track(downloads);
  }
}
