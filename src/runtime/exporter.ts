import type { Logger } from 'pino';
import type { AccountSettings, ExporterConfig, PollSettings } from '../domain/config.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import { createCycleRunner, type CycleRunner } from '../poller/cycle-runner.js';
import { runPollCycle, type StatusSource } from '../poller/poll-cycle.js';
import { startSchedule, type Schedule } from '../poller/scheduler.js';
import { ExportStore } from '../store/export-store.js';

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
}

/**
 * The running exporter: tracked exports, one API client per account, and the poll schedule.
 * Owns no sockets of its own; the HTTP layer reads from it.
 */
export class Exporter {
  readonly store = new ExportStore();
  readonly runner: CycleRunner;
  readonly #deps: ExporterDeps;
  readonly #now: () => number;
  readonly #sources = new Map<string, AccountSource>();
  readonly #abort = new AbortController();
  #config: ExporterConfig;
  #schedule: Schedule | undefined;
  #cyclesFinished = 0;

  constructor(deps: ExporterDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#now = deps.now ?? Date.now;
    for (const account of this.#config.accounts.values()) {
      this.#sources.set(account.name, deps.makeSource(account, this.#config.poll));
    }
    this.store.sync(this.#config.exports);
    deps.metrics.trackedExports.set(this.store.size);
    this.runner = createCycleRunner(
      () => this.#cycle(),
      () => {
        deps.metrics.cyclesSkipped.inc();
        deps.logger.warn('poll cycle skipped: the previous cycle is still running');
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
  }

  /** Runs one cycle now (used by tests and one-shot modes), skipping if one is running. */
  pollOnce(): Promise<void> {
    return this.runner.tick();
  }

  /**
   * Stops ticking, gives in-flight polls `graceMs` to finish, then aborts them, and closes the
   * API clients. Polls that were aborted are not recorded.
   */
  async stop(graceMs: number): Promise<void> {
    await this.#schedule?.stop();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.runner.idle(), grace]);
    clearTimeout(timer);
    this.#abort.abort();
    await this.runner.idle();
    await Promise.allSettled([...this.#sources.values()].map((s) => s.close()));
  }

  /** Full exposition: prom-client's own metrics, then the pre-rendered per-export families. */
  async metricsText(): Promise<string> {
    const own = await this.#deps.metrics.registry.metrics();
    return own + this.store.render(this.#now() / 1000);
  }

  async #cycle(): Promise<void> {
    const { metrics, logger } = this.#deps;
    const summary = await runPollCycle({
      store: this.store,
      sourceFor: (account) => this.#sources.get(account),
      concurrency: this.#config.poll.concurrency,
      now: this.#now,
      logger,
      signal: this.#abort.signal,
    });
    if (this.#abort.signal.aborted) return;
    this.#cyclesFinished++;
    metrics.cycleDuration.set(summary.durationMs / 1000);
    metrics.cyclesTotal.inc();
    metrics.lastCycleTimestamp.set(this.#now() / 1000);
    logger.debug(summary, 'poll cycle finished');
  }
}
