import type { ExportState } from '../domain/export-state.js';
import type { StateListener } from '../store/export-store.js';
import { baseLabels, EXPORT_FAMILIES, type ExportFamily } from './families.js';
import { GzipStitcher } from './gzip-stitch.js';
import { RenderedBlocks, type BlockRead, type Slot } from './rendered-blocks.js';
import { SeriesNames } from './series-names.js';
import { familyHeader } from './text.js';

export { FleetExposition } from './fleet-exposition.js';
export { EXPORT_FAMILIES } from './families.js';
export { FLEET_FAMILIES } from './fleet-families.js';

/** gzip scrapes prepared at once (see Exposition.#gzipping). */
const GZIP_PREPARING = 2;

/**
 * One scrape's body. The chunks are written out in order as they are; release() says the socket is
 * done with them (sent, client gone, or never written), so their memory may be reused. Call it on
 * every path; calls after the first do nothing.
 */
export interface ScrapeLease {
  readonly chunks: readonly Buffer[];
  readonly encoding: 'gzip' | 'identity';
  release(): void;
}

export interface ExpositionOptions {
  readonly families?: readonly ExportFamily[];
  /** Text served before the per-export families: the exporter's own metrics. */
  readonly head?: () => Promise<string> | string;
  /** Buffers served after them (the discovered servers' families); kept unchanged between rounds. */
  readonly tail?: () => readonly Buffer[];
}

interface Entry {
  state: ExportState;
  series: SeriesNames;
  /** Where this export's lines live. */
  slot: Slot;
}

/**
 * Everything between export states and bytes on the wire. It listens to the store: a changed state
 * re-renders that export's lines (a column whose bytes come out the same keeps its Buffer), and a
 * scrape only concatenates the pre-rendered Buffers. Which Buffer is reused when, and what is
 * cached against a Buffer's identity (the gzip segments), stays in this module.
 */
export class Exposition implements StateListener {
  readonly #entries = new Map<string, Entry>();
  readonly #families: readonly ExportFamily[];
  /** Position of each family among the static columns or among the timed ones. */
  readonly #column: number[];
  readonly #statics: number;
  readonly #headers: Buffer[];
  readonly #blocks: RenderedBlocks;
  readonly #gzip = new GzipStitcher();
  readonly #head: (() => Promise<string> | string) | undefined;
  readonly #tail: (() => readonly Buffer[]) | undefined;
  /**
   * gzip scrapes being prepared (ages written, compressed). Two at a time: each holds its own ages Buffer until its
   * segments exist, and the stitcher compresses two chunks at a time anyway. The rest wait their turn, holding
   * nothing; the segments they then find cached are shared.
   */
  #gzipping = 0;
  readonly #gzipQueue: Array<() => void> = [];

  constructor(opts: ExpositionOptions = {}) {
    const families = opts.families ?? EXPORT_FAMILIES;
    this.#families = families;
    this.#head = opts.head;
    this.#tail = opts.tail;
    let statics = 0;
    let timed = 0;
    this.#column = families.map((f) => (f.kind === 'static' ? statics++ : timed++));
    this.#statics = statics;
    this.#headers = families.map((f) => Buffer.from(familyHeader(f.name, f.help, f.type)));
    this.#blocks = new RenderedBlocks(statics, timed);
  }

  /**
   * The whole exposition at `now` (Unix seconds): the head, then every per-export family. With
   * `gzip`, one gzip member stitched from segments cached per unchanged chunk.
   */
  async scrape(now: number, opts: { readonly gzip: boolean }): Promise<ScrapeLease> {
    if (!opts.gzip) {
      const head = await this.#headBuffer();
      const read = this.#blocks.read(now);
      return { chunks: this.#all(read, head), encoding: 'identity', release: () => read.end() };
    }
    // A finished preparation hands its turn straight to the next one waiting.
    if (this.#gzipping < GZIP_PREPARING) this.#gzipping++;
    else await new Promise<void>((resolve) => this.#gzipQueue.push(resolve));
    try {
      const head = await this.#headBuffer();
      const read = this.#blocks.read(now);
      try {
        // The compressed segments are Buffers of their own: the plain chunks are free once they exist.
        return { chunks: await this.#gzip.gzip(this.#all(read, head)), encoding: 'gzip', release: () => undefined };
      } finally {
        read.end();
      }
    } finally {
      const next = this.#gzipQueue.shift();
      if (next) next();
      else this.#gzipping--;
    }
  }

  /** The head, every per-export family, then the tail (the fleet's series). */
  #all(read: BlockRead, head: Buffer | undefined): Buffer[] {
    const chunks = this.#chunks(read, head);
    if (this.#tail !== undefined) chunks.push(...this.#tail());
    return chunks;
  }

  async #headBuffer(): Promise<Buffer | undefined> {
    return this.#head === undefined ? undefined : Buffer.from(await this.#head());
  }

  /** The per-export families alone as one string (tests and the bench's baseline). */
  render(now: number): string {
    const read = this.#blocks.read(now);
    try {
      return Buffer.concat(this.#chunks(read, undefined)).toString('utf8');
    } finally {
      read.end();
    }
  }

  stateRemoved(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#blocks.remove(entry.slot);
    this.#entries.delete(id);
  }

  stateChanged(id: string, state: ExportState): void {
    const previous = this.#entries.get(id);
    const series =
      previous && previous.state.target === state.target
        ? previous.series
        : new SeriesNames(baseLabels(state.target), state.target.name + state.target.account);
    // One string per block column (static families, then timed ones), and the timed ones' instants.
    const lines: string[] = new Array<string>(this.#families.length);
    const since: number[] = [];
    // A retired export keeps its entry (so it is not tracked afresh) but has no series.
    this.#families.forEach((family, f) => {
      const c = this.#column[f]!;
      switch (family.kind) {
        case 'static':
          lines[c] = state.retired ? '' : family.render(state, series);
          return;
        case 'scrape-time': {
          const prefix = state.retired ? undefined : family.prefix(state, series);
          lines[this.#statics + c] = prefix ?? '';
          since[c] = prefix === undefined ? 0 : family.since(state);
        }
      }
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

  #chunks(read: BlockRead, head: Buffer | undefined): Buffer[] {
    const out: Buffer[] = head === undefined ? [] : [head];
    for (let f = 0; f < this.#families.length; f++) {
      out.push(this.#headers[f]!);
      const family = this.#families[f]!;
      switch (family.kind) {
        case 'static':
          read.chunks(this.#column[f]!, out);
          break;
        case 'scrape-time':
          out.push(read.timed(this.#column[f]!));
      }
    }
    return out;
  }
}
