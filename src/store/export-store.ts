import { exportKeyId, type ExportTarget } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { applyPollResult, initialState, retarget, retire, retirementDue, type ExportState, type RetireReason, type Retention } from '../domain/export-state.js';

/**
 * Told of every change to the tracked states, in the order they happen. The exposition is one:
 * it re-renders an export's lines from its new state. The store knows nothing of rendering.
 */
export interface StateListener {
  /** `state` is the export's state after a change; the first call for an id means it is newly tracked. */
  stateChanged(id: string, state: ExportState): void;
  /** The export is no longer tracked. */
  stateRemoved(id: string): void;
}

export interface SyncResult {
  readonly added: readonly ExportTarget[];
  readonly removed: readonly string[];
}

/** The state of every tracked export, by export id; every change goes through here. */
export class ExportStore {
  readonly #states = new Map<string, ExportState>();
  readonly #listener: StateListener | undefined;

  constructor(listener?: StateListener) {
    this.#listener = listener;
  }

  get size(): number {
    return this.#states.size;
  }

  /** Makes the tracked set equal to `targets`, keeping the state of exports that stay. */
  sync(targets: readonly ExportTarget[]): SyncResult {
    const wanted = new Map(targets.map((t) => [exportKeyId(t), t]));
    const removed: string[] = [];
    for (const id of this.#states.keys()) {
      if (!wanted.has(id)) {
        this.#states.delete(id);
        this.#listener?.stateRemoved(id);
        removed.push(id);
      }
    }
    const added: ExportTarget[] = [];
    for (const [id, target] of wanted) {
      const state = this.#states.get(id);
      if (state === undefined) {
        this.#put(id, initialState(target));
        added.push(target);
      } else if (state.target !== target) {
        this.#put(id, retarget(state, target));
      }
    }
    return { added, removed };
  }

  get(id: string): ExportState | undefined {
    return this.#states.get(id);
  }

  states(): IterableIterator<ExportState> {
    return this.#states.values();
  }

  /** Records a poll's outcome; a result for an export that was removed meanwhile is dropped. */
  apply(id: string, result: PollResult, now: number): ExportState | undefined {
    const state = this.#states.get(id);
    if (state === undefined) return undefined;
    const next = applyPollResult(state, result, now);
    this.#put(id, next);
    return next;
  }

  /** Retires every export whose retention ran out; their series disappear from the next scrape. */
  retireDue(now: number, retention: Retention): Array<{ id: string; reason: RetireReason }> {
    const retired: Array<{ id: string; reason: RetireReason }> = [];
    for (const [id, state] of this.#states) {
      const reason = retirementDue(state, now, retention);
      if (reason === undefined) continue;
      this.#put(id, retire(state, reason, now));
      retired.push({ id, reason });
    }
    return retired;
  }

  /** Sets a tracked export's state to `updater(state)` (restoring persisted facts at start-up). */
  update(id: string, updater: (state: ExportState) => ExportState): void {
    const state = this.#states.get(id);
    if (state === undefined) return;
    this.#put(id, updater(state));
  }

  #put(id: string, state: ExportState): void {
    this.#states.set(id, state);
    this.#listener?.stateChanged(id, state);
  }
}
