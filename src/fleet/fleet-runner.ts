import type { Logger } from 'pino';
import type { AccountFleet, ServerDiscoverySettings } from '../domain/fleet.js';
import type { AccountSettings, ExporterConfig } from '../domain/config.js';
import { discoveryRound, type FleetSource } from './discovery.js';
import { applyRound, emptyFleet } from './fleet-state.js';

/** Told about every account's fleet after each round; the exposition and the status page read it. */
export interface FleetListener {
  fleetChanged(fleet: AccountFleet): void;
  fleetRemoved(account: string): void;
}

export interface FleetRunnerDeps {
  readonly logger: Logger;
  /** The account's current API client (it changes when a reload replaces the account). */
  readonly sourceFor: (account: string) => FleetSource | undefined;
  /** Whether this shard exports the server. */
  readonly owns: (projectId: string, serverId: string) => boolean;
  readonly listener: FleetListener;
  /** Unix ms; tests pass a fake. */
  readonly now?: () => number;
  /** Monotonic ms for round durations. */
  readonly clock?: () => number;
}

interface Running {
  settings: ServerDiscoverySettings;
  projectId: string;
  fleet: AccountFleet;
  timer: NodeJS.Timeout | undefined;
  round: Promise<void> | undefined;
}

/**
 * Discovery of every account with `servers:`: a round at once, then one per interval, never two at a time per
 * account (a round still running when the next is due lets that one pass, with a warning). A reload keeps each
 * account's fleet and restarts only timers whose interval changed.
 */
export class FleetRunner {
  readonly #deps: FleetRunnerDeps;
  readonly #accounts = new Map<string, Running>();
  readonly #abort = new AbortController();
  readonly #now: () => number;
  readonly #clock: () => number;
  #started = false;

  constructor(deps: FleetRunnerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#clock = deps.clock ?? (() => performance.now());
  }

  /** Every account's fleet, in config order. */
  fleets(): AccountFleet[] {
    return [...this.#accounts.values()].map((r) => r.fleet);
  }

  apply(config: ExporterConfig): void {
    const wanted = new Map<string, AccountSettings>();
    for (const a of config.accounts.values()) if (a.servers !== undefined) wanted.set(a.name, a);
    for (const [name, r] of this.#accounts) {
      const next = wanted.get(name);
      if (next !== undefined && next.projectId === r.projectId) continue;
      clearInterval(r.timer);
      this.#accounts.delete(name);
      this.#deps.listener.fleetRemoved(name);
    }
    for (const account of wanted.values()) {
      const settings = account.servers!;
      const existing = this.#accounts.get(account.name);
      if (existing !== undefined) {
        const restart = existing.settings.intervalMs !== settings.intervalMs;
        existing.settings = settings;
        if (restart && existing.timer !== undefined) {
          clearInterval(existing.timer);
          existing.timer = this.#schedule(account.name, settings.intervalMs);
        }
        continue;
      }
      const running: Running = {
        settings,
        projectId: account.projectId,
        fleet: emptyFleet(account.name, account.projectId),
        timer: undefined,
        round: undefined,
      };
      this.#accounts.set(account.name, running);
      this.#deps.listener.fleetChanged(running.fleet);
      if (this.#started) this.#begin(account.name, running);
    }
  }

  /** From now on each account has its timer, and its first round starts at once. Before, only runNow() runs rounds. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const [name, r] of this.#accounts) this.#begin(name, r);
  }

  #begin(name: string, r: Running): void {
    r.timer = this.#schedule(name, r.settings.intervalMs);
    void this.runNow(name);
  }

  /** Runs a round of `account` now, or of every account; resolves when they end. A round in progress is awaited instead. */
  async runNow(account?: string): Promise<void> {
    const names = account === undefined ? [...this.#accounts.keys()] : [account];
    await Promise.all(names.map((n) => this.#round(n)));
  }

  /** Resolves when no round is running (the rounds running now have ended). */
  async idle(): Promise<void> {
    await Promise.allSettled(this.#rounds());
  }

  #rounds(): Promise<void>[] {
    return [...this.#accounts.values()].flatMap((r) => (r.round === undefined ? [] : [r.round]));
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const r of this.#accounts.values()) clearInterval(r.timer);
    await Promise.allSettled(this.#rounds());
  }

  #schedule(name: string, intervalMs: number): NodeJS.Timeout {
    return setInterval(() => {
      const r = this.#accounts.get(name);
      if (r?.round !== undefined) {
        this.#deps.logger.warn({ account: name }, 'server discovery round overran its interval: skipping this one');
        return;
      }
      void this.#round(name);
    }, intervalMs);
  }

  #round(name: string): Promise<void> {
    const r = this.#accounts.get(name);
    if (r === undefined) return Promise.resolve();
    r.round ??= this.#execute(name, r).finally(() => {
      r.round = undefined;
    });
    return r.round;
  }

  async #execute(name: string, r: Running): Promise<void> {
    const { logger } = this.#deps;
    const started = this.#clock();
    const source = this.#deps.sourceFor(name);
    const report =
      source === undefined
        ? { outcome: { ok: false as const, message: 'no API client for this account' }, pages: 0, skipped: 0, unknownLevels: 0 }
        : await discoveryRound({
            source,
            projectId: r.projectId,
            settings: r.settings,
            owns: (id) => this.#deps.owns(r.projectId, id),
            signal: this.#abort.signal,
          }).catch((err: unknown) => ({
            outcome: { ok: false as const, message: `unexpected error: ${err instanceof Error ? err.message : 'unknown'}` },
            pages: 0,
            skipped: 0,
            unknownLevels: 0,
          }));
    // A round that ended because the exporter stops, or whose account went away meanwhile, changes nothing.
    if (this.#abort.signal.aborted || this.#accounts.get(name) !== r) return;
    const seconds = (this.#clock() - started) / 1000;
    r.fleet = applyRound(r.fleet, report.outcome, this.#now() / 1000, seconds);
    const { pages, skipped, unknownLevels } = report;
    if (report.outcome.ok) {
      logger.debug({ account: name, servers: r.fleet.servers.size, pages, skipped, unknownLevels, seconds }, 'server discovery round finished');
      if (skipped > 0 || unknownLevels > 0) logger.warn({ account: name, skipped, unknownLevels }, 'server discovery skipped records it could not read');
    } else {
      const kept = r.fleet.servers.size;
      logger.warn(
        { account: name, pages, failuresInARow: r.fleet.failuresInARow, kept },
        `server discovery round failed, keeping the last good answer: ${report.outcome.message}`,
      );
    }
    this.#deps.listener.fleetChanged(r.fleet);
  }
}
