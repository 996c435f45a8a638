import { exportKeyId, type ExportTarget } from '../domain/export.js';
import type { PollResult } from '../domain/poll.js';
import { baseLabels, EXPORT_FAMILIES, type ExportFamily, type ScrapeTimeFamily } from '../metrics/families.js';

/** Longest text formatValue() can produce for a finite double, plus the newline. */
const MAX_NUMBER = 26;
import { familyHeader, formatValue } from '../metrics/text.js';
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
  /** Where this export's static-family lines live. */
  slot: Slot;
  /** Encoded line prefixes of the scrape-time families (undefined when absent), in table order. */
  prefixes: (Buffer | undefined)[];
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
  /** Position of each family among the static ones (in the blocks) or the scrape-time ones (in prefixes). */
  readonly #column: number[];
  readonly #headers: Buffer[];
  readonly #blocks: RenderedBlocks;

  constructor(families: readonly ExportFamily[] = EXPORT_FAMILIES) {
    this.#families = families;
    let statics = 0;
    let timed = 0;
    this.#column = families.map((f) => (f.kind === 'static' ? statics++ : timed++));
    this.#headers = families.map((f) => Buffer.from(familyHeader(f.name, f.help, f.type)));
    this.#blocks = new RenderedBlocks(statics);
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
   * are formatted here.
   */
  renderChunks(now: number): Buffer[] {
    this.#blocks.refresh();
    const out: Buffer[] = [];
    for (let f = 0; f < this.#families.length; f++) {
      const family = this.#families[f]!;
      out.push(this.#headers[f]!);
      if (family.kind === 'static') {
        this.#blocks.chunks(this.#column[f]!, out);
        continue;
      }
      out.push(this.#scrapeTime(family, this.#column[f]!, now));
    }
    return out;
  }

  /** The same as one string (tests, small outputs). */
  render(now: number): string {
    return Buffer.concat(this.renderChunks(now)).toString('utf8');
  }

  /**
   * One family whose value is computed per scrape, written straight into one Buffer: copying the
   * encoded prefixes and formatting only the numbers avoids building 10,000 strings per scrape.
   */
  #scrapeTime(family: ScrapeTimeFamily, column: number, now: number): Buffer {
    let size = 0;
    for (const entry of this.#entries.values()) size += (entry.prefixes[column]?.length ?? -MAX_NUMBER) + MAX_NUMBER;
    const buf = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const entry of this.#entries.values()) {
      const prefix = entry.prefixes[column];
      if (prefix === undefined) continue;
      buf.set(prefix, at);
      at += prefix.length;
      const text = formatValue(family.value(entry.state, now));
      for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
      buf[at++] = 0x0a;
    }
    return buf.subarray(0, at);
  }

  #put(id: string, state: ExportState): void {
    const previous = this.#entries.get(id);
    const series =
      previous && previous.state.target === state.target ? previous.series : new SeriesNames(baseLabels(state.target), state.target.name + state.target.account);
    const statics: string[] = [];
    const prefixes: (Buffer | undefined)[] = [];
    // A retired export keeps its entry (so it is not tracked afresh) but has no series.
    for (const family of this.#families) {
      if (family.kind === 'static') statics.push(state.retired ? '' : family.render(state, series));
      else {
        const prefix = state.retired ? undefined : family.prefix(state, series);
        prefixes.push(prefix === undefined ? undefined : Buffer.from(prefix));
      }
    }
    if (previous) {
      this.#blocks.update(previous.slot, statics, series.ascii);
      previous.state = state;
      previous.series = series;
      previous.prefixes = prefixes;
    } else {
      this.#entries.set(id, { state, series, prefixes, slot: this.#blocks.add(statics, series.ascii) });
    }
  }
}
