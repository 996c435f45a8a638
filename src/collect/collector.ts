import type { Logger } from 'pino';
import type { StartResult } from '../clouddc/log-api.js';
import type { AutoCollectDecision, AutoCollectResult, AutoCollectSettings, AutoCollectView } from '../domain/auto-collect.js';
import type { ExportTarget } from '../domain/export.js';
import type { AccountFleet } from '../domain/fleet.js';
import { unroutableIdReason } from '../domain/path-id.js';
import { decide, MAX_ATTEMPTS, type Decision } from './decide.js';
import { parseLedger, recordKey, type LedgerData, type ServerRecord } from './ledger.js';

/** The one call collection makes; the account's LogApi implements it. */
export interface Starter {
  start(serverId: string, signal?: AbortSignal): Promise<StartResult>;
}

export interface CollectorDeps {
  readonly logger: Logger;
  /** The current `auto_collect` (this replica's share); undefined: off. */
  readonly settings: () => AutoCollectSettings | undefined;
  readonly starterFor: (account: string) => Starter | undefined;
  /** Writes the state file now; false when it could not be written (then nothing is started). */
  readonly persist: () => Promise<boolean>;
  /** The set of exports collection tracks changed. */
  readonly targetsChanged: () => void;
  readonly count: (account: string, result: AutoCollectResult) => void;
  /** Unix ms. */
  readonly now: () => number;
  readonly signal: AbortSignal;
}

const HOUR_S = 3600;
/** A record that acted is kept at least this long, beyond the cooldown: longer than any default retention. */
const KEEP_ACTED_S = 8 * 24 * HOUR_S;
const RECENT = 50;

/**
 * Automatic collection: told of every discovery round (only the servers this shard owns are in it), it decides per
 * server (decide.ts), and for a start writes the decision to the state file before the call and its outcome after.
 * Rounds are handled one at a time, so two rounds never decide about the same server at once.
 */
export class Collector {
  readonly #deps: CollectorDeps;
  #records = new Map<string, ServerRecord>();
  #calls = new Map<string, number[]>();
  #targets = new Map<string, ExportTarget>();
  #recent: AutoCollectDecision[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: CollectorDeps) {
    this.#deps = deps;
  }

  /** Queues a round's outcome; a failed round (stale servers) decides nothing. */
  fleetChanged(fleet: AccountFleet): void {
    if (fleet.lastRoundOk !== true || this.#deps.settings() === undefined) return;
    this.#queue = this.#queue
      .then(() => this.#round(fleet))
      .catch((err: unknown) => this.#deps.logger.error({ err: String(err) }, 'auto-collect: round failed'));
  }

  /** Resolves when every queued round has been handled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** The exports collection started, as tracked exports (the same objects while nothing changes). */
  targets(): ExportTarget[] {
    return [...this.#targets.values()];
  }

  records(): IterableIterator<ServerRecord> {
    return this.#records.values();
  }

  snapshot(): LedgerData | undefined {
    if (this.#records.size === 0 && this.#calls.size === 0) return undefined;
    return { servers: Object.fromEntries(this.#records), calls: Object.fromEntries(this.#calls) };
  }

  /** The state file's section at start-up; returns a problem, or how many servers it remembered. */
  restore(raw: unknown): number | string {
    const parsed = parseLedger(raw);
    if (typeof parsed === 'string') return parsed;
    this.#records = new Map(Object.entries(parsed.servers));
    this.#calls = new Map(Object.entries(parsed.calls).map(([a, list]) => [a, [...list]]));
    for (const [key, r] of this.#records) {
      if (r.result !== 'starting') continue;
      // Stopped during the call: an export may exist. Never started again for this incident; said loudly.
      const detail = 'the exporter stopped during ExportServerLogs: an export may have been started; check the console';
      this.#set(key, { ...r, result: 'failed', maybeStarted: true, detail });
      this.#decided(r, r.trigger ?? '', 'failed', undefined, detail);
    }
    this.#rebuildTargets();
    return this.#records.size;
  }

  /** Marks a record's download outcome (download.ts). */
  update(key: string, change: Partial<ServerRecord>): void {
    const r = this.#records.get(key);
    if (r !== undefined) this.#set(key, { ...r, ...change });
  }

  view(): AutoCollectView | undefined {
    const s = this.#deps.settings();
    if (s === undefined) return undefined;
    return {
      dryRun: s.dryRun,
      cooldownSeconds: s.cooldownMs / 1000,
      maxPerHour: s.maxPerHour,
      ...(s.download && { downloadDir: s.download.dir }),
      recent: [...this.#recent].reverse(),
    };
  }

  /** Adds a line to the status page's list and logs it (download.ts uses it for downloads). */
  note(entry: AutoCollectDecision, level: 'info' | 'warn' | 'error'): void {
    this.#recent.push(entry);
    if (this.#recent.length > RECENT) this.#recent.shift();
    const { account, serverId: server, serverName, trigger, result, exportId, detail } = entry;
    const fields = { account, server, serverName, trigger, result, export: exportId, detail };
    if (level === 'error') this.#deps.logger.error(fields, `auto-collect: ${result}`);
    else if (level === 'warn') this.#deps.logger.warn(fields, `auto-collect: ${result}`);
    else this.#deps.logger.info(fields, `auto-collect: ${result}`);
  }

  async #round(fleet: AccountFleet): Promise<void> {
    const settings = this.#deps.settings();
    if (settings === undefined) return;
    const nowS = this.#deps.now() / 1000;
    const calls = (this.#calls.get(fleet.account) ?? []).filter((t) => nowS - t < HOUR_S);
    this.#calls.set(fleet.account, calls);
    const actions: Array<{ key: string; record: ServerRecord; decision: Exclude<Decision, { kind: 'none' }> }> = [];
    let changed = false;
    for (const { server, alarms, missed } of fleet.servers.values()) {
      if (missed > 0) continue;
      const key = recordKey(server.projectId, server.id);
      const prev = this.#records.get(key);
      const seen = { account: fleet.account, projectId: server.projectId, serverId: server.id, serverName: server.name, health: server.health, alarms };
      const { decision, record } = decide(prev, seen, settings, calls.length, nowS);
      if (decision.kind === 'start' || decision.kind === 'dry_run') calls.push(nowS);
      if (decision.kind !== 'none') actions.push({ key, record, decision });
      else if (prev === undefined ? record.matching || record.alarms > 0 : prev.matching !== record.matching || prev.alarms !== record.alarms) {
        this.#set(key, record);
        changed = true;
      }
    }
    changed = this.#prune(nowS, settings) || changed;
    for (const { key, record, decision } of actions) {
      if (this.#deps.signal.aborted) return;
      await this.#act(key, record, decision, nowS);
    }
    if (changed && actions.length === 0) await this.#deps.persist();
  }

  async #act(key: string, record: ServerRecord, decision: Exclude<Decision, { kind: 'none' }>, nowS: number): Promise<void> {
    const { trigger } = decision;
    if (decision.kind === 'skip') {
      this.#set(key, record);
      return this.#decided(record, trigger, decision.result);
    }
    const fresh = { ...record, actedAt: nowS, trigger, exportId: undefined, detail: undefined, downloaded: undefined, downloadAttempts: undefined };
    if (decision.kind === 'dry_run') {
      this.#set(key, { ...fresh, result: 'dry_run' });
      await this.#deps.persist();
      return this.#decided(record, trigger, 'dry_run');
    }
    const starter = this.#deps.starterFor(record.account);
    const attempts = decision.attempt;
    const unroutable = unroutableIdReason(record.serverId);
    if (unroutable !== undefined) {
      // ListServers may name a server no request can address; no retry can help, so none is made.
      const detail = `server id ${unroutable}; nothing was started`;
      this.#set(key, { ...fresh, result: 'failed', attempts: MAX_ATTEMPTS, maybeStarted: false, detail });
      await this.#deps.persist();
      return this.#decided(record, trigger, 'failed', undefined, detail);
    }
    this.#set(key, { ...fresh, result: 'starting', attempts });
    if (starter === undefined || !(await this.#deps.persist())) {
      const detail = starter === undefined ? 'no API client for the account' : 'the state file could not be written, so nothing was started';
      this.#set(key, { ...fresh, result: 'failed', attempts, maybeStarted: false, detail });
      return this.#decided(record, trigger, 'failed', undefined, detail);
    }
    const r = await starter.start(record.serverId, this.#deps.signal);
    if (r.ok) {
      this.#set(key, { ...fresh, result: 'started', attempts, exportId: r.exportId });
      this.#rebuildTargets();
      this.#deps.targetsChanged();
    } else {
      const detail = `${r.failure.message}${r.maybeStarted ? ' (the request may have reached CloudDC: not repeated)' : ' (nothing was started)'}`;
      this.#set(key, { ...fresh, result: 'failed', attempts, maybeStarted: r.maybeStarted, detail });
    }
    await this.#deps.persist();
    const after = this.#records.get(key)!;
    this.#decided(after, trigger, r.ok ? 'started' : 'failed', after.exportId, after.detail);
  }

  #decided(r: ServerRecord, trigger: string, result: AutoCollectResult, exportId?: string, detail?: string): void {
    this.#deps.count(r.account, result);
    const entry: AutoCollectDecision = {
      at: this.#deps.now() / 1000,
      account: r.account,
      serverId: r.serverId,
      serverName: r.serverName,
      trigger,
      result,
      ...(exportId !== undefined && { exportId }),
      ...(detail !== undefined && { detail }),
    };
    this.note(entry, result === 'failed' ? 'error' : result === 'budget' ? 'warn' : 'info');
  }

  /** Forgets healthy servers whose last action is older than both the cooldown and any retention. */
  #prune(nowS: number, settings: AutoCollectSettings): boolean {
    let pruned = false;
    for (const [key, r] of this.#records) {
      if (r.matching || r.alarms > 0 || r.result === 'starting') continue;
      if (r.actedAt !== undefined && nowS - r.actedAt < Math.max(settings.cooldownMs / 1000, KEEP_ACTED_S)) continue;
      this.#records.delete(key);
      pruned = true;
    }
    if (pruned) {
      const before = this.#targets.size;
      this.#rebuildTargets();
      if (this.#targets.size !== before) this.#deps.targetsChanged();
    }
    return pruned;
  }

  #set(key: string, r: ServerRecord): void {
    this.#records.set(key, r);
  }

  #rebuildTargets(): void {
    const next = new Map<string, ExportTarget>();
    for (const r of this.#records.values()) {
      if (r.exportId === undefined || r.result !== 'started') continue;
      const id = `${r.projectId}/${r.serverId}/${r.exportId}`;
      const old = this.#targets.get(id);
      const trigger = r.trigger ?? '';
      next.set(
        id,
        old?.origin?.trigger === trigger && old.name === r.serverName
          ? old
          : { projectId: r.projectId, serverId: r.serverId, exportId: r.exportId, account: r.account, name: r.serverName, labels: {}, origin: { trigger } },
      );
    }
    this.#targets = next;
  }
}
