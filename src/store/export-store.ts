import { exportKeyId, type ExportTarget } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { baseLabels, EXPORT_FAMILIES, type ExportFamily } from '../metrics/families.js';
import { familyHeader, flat, formatValue } from '../metrics/text.js';
import {
  applyPollResult,
  initialState,
  retarget,
  retire,
  retirementDue,
  type ExportState,
  type RetireReason,
  type Retention,
} from './export-state.js';

interface Entry {
  state: ExportState;
  base: string;
  /** One pre-rendered chunk per family, same order as the family table. */
  lines: string[];
}

export interface SyncResult {
  readonly added: readonly ExportTarget[];
  readonly removed: readonly string[];
}

/**
 * Per-export state plus its pre-rendered exposition lines. A state change re-renders that one
 * export; a scrape only concatenates, so its cost grows with the output size, not with the
 * number of families times label-rendering work.
 */
export class ExportStore {
  readonly #entries = new Map<string, Entry>();
  readonly #families: readonly ExportFamily[];

  constructor(families: readonly ExportFamily[] = EXPORT_FAMILIES) {
    this.#families = families;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Makes the tracked set equal to `targets`, keeping the state of exports that stay. */
  sync(targets: readonly ExportTarget[]): SyncResult {
    const wanted = new Map(targets.map((t) => [exportKeyId(t), t]));
    const removed: string[] = [];
    for (const id of this.#entries.keys()) {
      if (!wanted.has(id)) {
        this.#entries.delete(id);
        removed.push(id);
      }
    }
    const added: ExportTarget[] = [];
    for (const [id, target] of wanted) {
      const entry = this.#entries.get(id);
      if (entry === undefined) {
        this.#put(id, initialState(target));
        added.push(target);
      } else if (entry.state.target !== target) {
        this.#put(id, retarget(entry.state, target));
      }
    }
    return { added, removed };
  }

  get(id: string): ExportState | undefined {
    return this.#entries.get(id)?.state;
  }

  *states(): IterableIterator<ExportState> {
    for (const entry of this.#entries.values()) yield entry.state;
  }

  /** Records a poll's outcome; a result for an export that was removed meanwhile is dropped. */
  apply(id: string, result: PollResult, now: number): ExportState | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    const next = applyPollResult(entry.state, result, now);
    this.#put(id, next);
    return next;
  }

  /** Retires every export whose retention ran out; their series disappear from the next scrape. */
  retireDue(now: number, retention: Retention): Array<{ id: string; reason: RetireReason }> {
    const retired: Array<{ id: string; reason: RetireReason }> = [];
    for (const [id, entry] of this.#entries) {
      const reason = retirementDue(entry.state, now, retention);
      if (reason === undefined) continue;
      this.#put(id, retire(entry.state, reason, now));
      retired.push({ id, reason });
    }
    return retired;
  }

  /** Replaces an export's state wholesale (restoring persisted facts at start-up). */
  replace(id: string, update: (state: ExportState) => ExportState): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#put(id, update(entry.state));
  }

  /**
   * The exposition text of every per-export family, `now` in Unix seconds. One join over the
   * pre-rendered lines: no per-family cache, which would double the memory held and be rebuilt
   * after nearly every poll anyway.
   */
  render(now: number): string {
    const pieces: string[] = [];
    for (let f = 0; f < this.#families.length; f++) {
      const family = this.#families[f]!;
      pieces.push(familyHeader(family.name, family.help, family.type));
      for (const entry of this.#entries.values()) {
        const lines = entry.lines[f];
        if (!lines) continue;
        if (family.kind === 'static') pieces.push(lines);
        else pieces.push(lines, formatValue(family.value(entry.state, now)), '\n');
      }
    }
    return flat(pieces);
  }

  #put(id: string, state: ExportState): void {
    const previous = this.#entries.get(id);
    const base = previous && previous.state.target === state.target ? previous.base : baseLabels(state.target);
    // A retired export keeps its entry (so it is not tracked afresh) but has no series.
    const lines = this.#families.map((family) =>
      state.retired ? '' : family.kind === 'static' ? family.render(state, base) : (family.prefix(state, base) ?? ''),
    );
    this.#entries.set(id, { state, base, lines });
  }
}
