import { exportKeyId, type ExportTarget } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { baseLabels, EXPORT_FAMILIES, type ExportFamily } from '../metrics/families.js';
import { familyHeader } from '../metrics/text.js';
import { RenderedBlocks, type Slot } from './rendered-blocks.js';
import { SeriesNames } from '../metrics/series-names.js';
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
  series: SeriesNames;
  /** Where this export's lines live. */
  slot: Slot;
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
  /** Position of each family among the static columns or among the timed ones. */
  readonly #column: number[];
  readonly #statics: number;
  readonly #headers: Buffer[];
  readonly #blocks: RenderedBlocks;
  /** Open scrapes, keyed by a chunk unique to each (see renderChunks). */
  readonly #reads = new WeakMap<Buffer, () => void>();

  constructor(families: readonly ExportFamily[] = EXPORT_FAMILIES) {
    this.#families = families;
    let statics = 0;
    let timed = 0;
    this.#column = families.map((f) => (f.kind === 'static' ? statics++ : timed++));
    this.#statics = statics;
    this.#headers = families.map((f) => Buffer.from(familyHeader(f.name, f.help, f.type)));
    this.#blocks = new RenderedBlocks(statics, timed);
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
        this.#blocks.remove(this.#entries.get(id)!.slot);
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
   * The exposition of every per-export family as encoded chunks, `now` in Unix seconds. Static
   * families are served from the pre-rendered blocks as they are; only scrape-time values (ages)
   * are written here.
   */
  renderChunks(now: number): Buffer[] {
    const read = this.#blocks.read(now);
    const out: Buffer[] = [];
    // releaseChunks() finds the read by a chunk no other scrape has: the ages, written anew each
    // scrape. Every other chunk stays the same Buffer until its lines change, which is what lets
    // the gzip segments cached against them be reused.
    let key: Buffer | undefined;
    for (let f = 0; f < this.#families.length; f++) {
      const family = this.#families[f]!;
      out.push(this.#headers[f]!);
      if (family.kind === 'static') {
        read.chunks(this.#column[f]!, out);
        continue;
      }
      const timed = read.timed(this.#column[f]!);
      key ??= timed;
      out.push(timed);
    }
    if (key === undefined) out.push((key = Buffer.alloc(0)));
    this.#reads.set(key, read.end);
    return out;
  }

  /**
   * Says the chunks of a renderChunks() call have been written out (the socket is done with
   * them), so their memory can be reused by later scrapes and rebuilds. Chunks not given back
   * are never reused. Other chunks in the list are ignored; a second call does nothing.
   */
  releaseChunks(chunks: Iterable<Buffer>): void {
    for (const c of chunks) {
      const end = this.#reads.get(c);
      if (end === undefined) continue;
      this.#reads.delete(c);
      end();
    }
  }

  /** The same as one string (tests, small outputs). */
  render(now: number): string {
    const chunks = this.renderChunks(now);
    const text = Buffer.concat(chunks).toString('utf8');
    this.releaseChunks(chunks);
    return text;
  }

  #put(id: string, state: ExportState): void {
    const previous = this.#entries.get(id);
    const series =
      previous && previous.state.target === state.target ? previous.series : new SeriesNames(baseLabels(state.target), state.target.name + state.target.account);
    // One string per block column (static families, then timed ones), and the timed ones' instants;
    // undefined where the family's lines cannot have changed (most families, after most polls).
    const lines: Array<string | undefined> = new Array<string | undefined>(this.#families.length);
    const since: number[] = [];
    const before = previous && previous.series === series && previous.state.retired === state.retired ? previous.state : undefined;
    // A retired export keeps its entry (so it is not tracked afresh) but has no series.
    this.#families.forEach((family, f) => {
      const c = this.#column[f]!;
      if (before !== undefined && family.unchanged(before, state)) return;
      if (family.kind === 'static') {
        lines[c] = state.retired ? '' : family.render(state, series);
        return;
      }
      const prefix = state.retired ? undefined : family.prefix(state, series);
      lines[this.#statics + c] = prefix ?? '';
      since[c] = prefix === undefined ? 0 : family.since(state);
    });
    const text = { lines, since, ascii: series.ascii };
    if (previous) {
      previous.state = state;
      previous.series = series;
      this.#blocks.update(previous.slot, text);
    } else {
      this.#entries.set(id, { state, series, slot: this.#blocks.add(text) });
    }
  }
}
