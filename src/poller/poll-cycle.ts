import type { Logger } from 'pino';
import { exportKeyId, type ExportKey, type ExportTarget } from '../domain/export.js';
import type { PollResult, Slot } from '../domain/poll.js';
import { needsPolling } from '../domain/export-state.js';
import type { ExportStore } from '../store/export-store.js';
import { createPacer } from './pacing.js';
import { SlotPool, type Lease } from './slot-pool.js';

/** The narrow view of the remote API the poller needs; the client implements it, tests fake it. */
export interface StatusSource {
  /** `slot` is the poll's place among the requests in flight; a source that waits between attempts gives it back meanwhile. */
  fetchStatus(key: ExportKey, signal?: AbortSignal, slot?: Slot): Promise<PollResult>;
}

export interface CycleDeps {
  readonly store: ExportStore;
  readonly sourceFor: (account: string) => StatusSource | undefined;
  readonly concurrency: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Restricts the cycle to these export ids (exports added by a reload). */
  readonly only?: ReadonlySet<string>;
  /** Spreads the polls' starts evenly over this many ms (see pacing.ts); 0 or absent starts them at once. */
  readonly spreadMs?: number;
  /** Where the spread starts, on the `now` clock; defaults to the cycle's start. A late cycle passes its tick's time. */
  readonly spreadFrom?: number;
  /** For the spreading waits; resolves after `ms`, rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CycleSummary {
  readonly polled: number;
  readonly failed: number;
  readonly durationMs: number;
}

/**
 * Polls every export that still needs it, with at most `concurrency` holding a slot at a time (see SlotPool: a
 * poll waiting to retry holds none). Never throws.
 */
export async function runPollCycle(deps: CycleDeps): Promise<CycleSummary> {
  const started = deps.now();
  const due = dueInOrder(deps);

  const startedAt = deps.spreadFrom ?? started;
  const pace = createPacer({ windowMs: deps.spreadMs ?? 0, total: due.length, startedAt, now: deps.now, sleep: deps.sleep });
  const slots = new SlotPool(deps.concurrency);
  let failed = 0;
  let open = 0;
  let allDone: (() => void) | undefined;
  const finish = (lease: Lease) => (ok: boolean) => {
    lease.release();
    if (!ok) failed++;
    if (--open === 0) allDone?.();
  };
  for (let index = 0; index < due.length && !deps.signal?.aborted; index++) {
    if (pace !== undefined && !(await pace(index, deps.signal))) break;
    const lease = slots.tryLease() ?? (await slots.lease(deps.signal));
    if (lease === null) break;
    open++;
    void pollOne(deps, due[index]!, lease)
      .catch((err: unknown) => {
        deps.logger.error({ export: exportKeyId(due[index]!), err: String(err) }, 'recording a poll failed');
        return false;
      })
      .then(finish(lease));
  }
  if (open > 0) await new Promise<void>((resolve) => (allDone = resolve));
  return { polled: due.length, failed, durationMs: deps.now() - started };
}

/**
 * The exports to poll, those whose last poll failed first. A failing poll spends most of its time backing off
 * between retries (without a slot); started first, those waits overlap the healthy polls instead of trailing
 * after the last of them, so a partial outage lengthens the cycle by about one retry chain at most rather than
 * by a chain on top of the whole queue. Otherwise the store's order stays, so each export keeps its place from
 * one cycle to the next.
 */
function dueInOrder(deps: Pick<CycleDeps, 'store' | 'only'>): ExportTarget[] {
  const failedLast: ExportTarget[] = [];
  const rest: ExportTarget[] = [];
  for (const state of deps.store.states()) {
    if (!needsPolling(state) || (deps.only !== undefined && !deps.only.has(exportKeyId(state.target)))) continue;
    (state.lastPollOk === false ? failedLast : rest).push(state.target);
  }
  return failedLast.length === 0 ? rest : failedLast.concat(rest);
}

/** Resolves true unless the poll failed; never rejects. */
async function pollOne(deps: CycleDeps, target: ExportTarget, slot: Slot): Promise<boolean> {
  const id = exportKeyId(target);
  const source = deps.sourceFor(target.account);
  let result: PollResult;
  if (source === undefined) {
    result = { ok: false, reason: 'network', message: `no client for account "${target.account}"`, attempts: 0 };
  } else {
    try {
      result = await source.fetchStatus(target, deps.signal, slot);
    } catch (err) {
      // The client's contract is to never throw; if it does, the poll still ends as a counted failure.
      deps.logger.error({ export: id, err: String(err) }, 'poll threw unexpectedly');
      result = { ok: false, reason: 'network', message: 'internal error while polling', attempts: 0 };
    }
  }
  // A poll cut short by shutdown says nothing about the export.
  if (deps.signal?.aborted) return true;

  const before = deps.store.get(id);
  const after = deps.store.apply(id, result, deps.now() / 1000);
  if (after === undefined) return result.ok;
  const log = deps.logger;
  if (!result.ok) {
    log.warn(
      {
        export: id,
        account: target.account,
        reason: result.reason,
        errorCode: result.errorCode,
        requestId: result.requestId,
        attempts: result.attempts,
      },
      `poll failed: ${result.message}`,
    );
    return false;
  }
  const prev = before?.observation;
  const obs = result.observation;
  if (prev?.status !== obs.status) {
    log.info(
      { export: id, name: target.name || undefined, status: obs.status, rawStatus: obs.rawStatus, percentage: obs.percentage },
      prev ? `export status ${prev.status} -> ${obs.status}` : `export first seen ${obs.status}`,
    );
  }
  // The line the runbook tells a person to search for: on the first unknown answer too, not only on a new spelling.
  if (obs.status === 'unknown' && (prev?.status !== 'unknown' || prev.rawStatus !== obs.rawStatus)) {
    log.info({ export: id, rawStatus: obs.rawStatus }, 'export reports an unrecognised status');
  }
  return true;
}
