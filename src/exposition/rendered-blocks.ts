/**
 * Pre-rendered exposition bytes for many exports, grouped in blocks.
 *
 * A scrape of 10,000 exports is about 26 MB of text. Building that as one string per scrape
 * allocates and copies it several times (join, UTF-8 encoding, the HTTP write), and touching
 * fresh memory is what costs (docs/architecture.md). So the text is kept as encoded Buffers, one per
 * block of exports and column, and a scrape hands those Buffers to the socket as they are.
 *
 * A changed export's new text waits as strings in its slot until its block is rebuilt. A block
 * is rebuilt once half its slots wait, and every waiting block at the next scrape: without the
 * first rule one full poll cycle would hold the whole exposition as strings (tens of MB of heap)
 * until someone scrapes. An update names only the columns whose lines changed, and a rebuild
 * touches only those columns: a poll usually changes one or two families of an export (its last
 * success, its error counters), and the other columns keep their very Buffers, so what is cached
 * against a Buffer (the gzip segment) stays valid and no bytes are copied. Within a rebuilt column
 * the unchanged exports' bytes are copied from the old Buffer. The Buffers come from, and go back
 * to, a recycler that reuses memory only once no open scrape (a read) can still be writing it to a
 * socket.
 *
 * Timed columns hold line prefixes (`name{labels} `) and, per export, the instant the value is
 * measured from; their numbers are written at scrape time (ages).
 */
import { writeSecondsSince } from './text.js';
import { BufferRecycler } from './buffer-recycler.js';

/**
 * Exports per block. Each block adds one chunk per column to a scrape, and the socket writes
 * fewer, larger chunks faster (see docs/performance.md); the half-full rebuild rule keeps the
 * copying per update the same whatever the size.
 */
const DEFAULT_BLOCK_SIZE = 1024;

/** Recycler pools: rebuilt block columns (about one rebuilt block's worth), and the ages of scrapes (two concurrent scrapes' worth). */
const BLOCKS = 0;
const SCRATCH = 1;
const POOLS = [
  { bytes: 4 * 1024 * 1024, count: Infinity },
  { bytes: Infinity, count: 2 },
];

/** Longest text writeSecondsSince() writes, newline included. */
const MAX_NUMBER = 26;

export interface SlotText {
  /**
   * One string per column (static columns first, then timed); '' when the export has no line.
   * In update(), undefined keeps the column's text as it was.
   */
  readonly lines: ReadonlyArray<string | undefined>;
  /** Per timed column whose line is given: the instant its value counts from, Unix seconds. */
  readonly since: readonly number[];
  /** Every line is ASCII, so its length is its byte count. */
  readonly ascii: boolean;
}

export interface Slot {
  /** Set while the slot's new text is not yet in its block's Buffers. */
  pending: SlotText | undefined;
  /** False once removed; the block drops it at its next rebuild. */
  live: boolean;
  block: Block;
  /** Index in block.slots as of the last rebuild (for copying the old bytes). */
  index: number;
}

/** One scrape's view of the blocks; end() it once the socket is done with the chunks. */
export interface BlockRead {
  /** Buffers of static column `c` in export order. */
  chunks(c: number, out: Buffer[]): void;
  /** Timed column `t`, every line completed with the seconds from its instant to the read's `now`. */
  timed(t: number): Buffer;
  /** Idempotent. */
  end(): void;
}

interface Block {
  slots: Slot[];
  /** Per column: the bytes of every slot in order, and where each slot's bytes end. */
  bufs: Buffer[];
  /** Per column: the Buffer from the recycler that bufs[c] is the start of. */
  wholes: Buffer[];
  ends: Uint32Array[];
  /** Per timed column, per slot. */
  since: Float64Array[];
  waiting: number;
  /** Per column: some waiting slot has a new line for it. */
  dirty: boolean[];
  /** Slots were added or removed since the last rebuild: every column's layout changes. */
  reshaped: boolean;
}

export class RenderedBlocks {
  readonly #statics: number;
  readonly #columns: number;
  readonly #blockSize: number;
  readonly #blocks: Block[] = [];
  readonly #recycler = new BufferRecycler(POOLS);

  /** `statics` plain columns, then `timed` ones; tests pass a small `blockSize` to cross blocks. */
  constructor(statics: number, timed = 0, blockSize = DEFAULT_BLOCK_SIZE) {
    this.#statics = statics;
    this.#columns = statics + timed;
    this.#blockSize = blockSize;
  }

  /** A new slot at the end. */
  add(text: SlotText): Slot {
    let block = this.#blocks.at(-1);
    if (block === undefined || block.slots.length >= this.#blockSize) {
      block = { slots: [], bufs: [], wholes: [], ends: [], since: [], waiting: 0, dirty: [], reshaped: true };
      for (let c = 0; c < this.#columns; c++) {
        block.bufs.push(Buffer.alloc(0));
        block.wholes.push(block.bufs[c]!);
        block.ends.push(new Uint32Array(0));
        block.dirty.push(false);
      }
      for (let t = this.#statics; t < this.#columns; t++) block.since.push(new Float64Array(0));
      this.#blocks.push(block);
    }
    if (text.lines.length !== this.#columns || text.lines.includes(undefined)) throw new Error('a new slot needs a line for every column');
    const slot: Slot = { pending: undefined, live: true, block, index: -1 };
    block.slots.push(slot);
    block.reshaped = true;
    this.update(slot, text);
    return slot;
  }

  /** New text for the columns `text` names; a text that names none changes nothing. */
  update(slot: Slot, text: SlotText): void {
    const block = slot.block;
    const earlier = slot.pending;
    let named = false;
    for (let c = 0; c < this.#columns; c++) {
      if (text.lines[c] === undefined) continue;
      named = true;
      block.dirty[c] = true;
    }
    if (!named) return;
    if (earlier === undefined) {
      block.waiting++;
      slot.pending = text;
    } else {
      // Still waiting from an earlier update: its lines stand where this one names none.
      const lines: Array<string | undefined> = [];
      const since: number[] = [];
      for (let c = 0; c < this.#columns; c++) {
        const named = text.lines[c] !== undefined;
        lines.push(named ? text.lines[c] : earlier.lines[c]);
        if (c >= this.#statics) since.push(named ? text.since[c - this.#statics]! : earlier.since[c - this.#statics]!);
      }
      slot.pending = { lines, since, ascii: text.ascii && earlier.ascii };
    }
    if (block.waiting * 2 >= this.#blockSize) this.#rebuild(block);
  }

  remove(slot: Slot): void {
    if (slot.pending !== undefined) slot.block.waiting--;
    slot.live = false;
    slot.pending = undefined;
    slot.block.reshaped = true;
  }

  /** Brings every stale block up to date and starts a scrape's read of them at `now` (Unix seconds). */
  read(now: number): BlockRead {
    this.#refresh();
    const blocks = [...this.#blocks];
    const taken: Buffer[] = [];
    const endRead = this.#recycler.beginRead();
    let open = true;
    return {
      chunks: (c, out) => {
        for (const block of blocks) {
          const buf = block.bufs[c]!;
          if (buf.length > 0) out.push(buf);
        }
      },
      timed: (t) => this.#timed(blocks, t, now, taken),
      end: () => {
        if (!open) return;
        open = false;
        for (const buf of taken) this.#recycler.retire(buf, SCRATCH);
        endRead();
      },
    };
  }

  #refresh(): void {
    for (const block of this.#blocks) if (block.reshaped || block.waiting > 0) this.#rebuild(block);
    // Blocks emptied by removals go; the blocks after them keep their order.
    for (let i = this.#blocks.length - 1; i >= 0; i--) {
      const block = this.#blocks[i]!;
      if (block.slots.length > 0) continue;
      for (const whole of block.wholes) this.#recycler.retire(whole, BLOCKS);
      this.#blocks.splice(i, 1);
    }
  }

  #timed(blocks: readonly Block[], t: number, now: number, taken: Buffer[]): Buffer {
    const c = this.#statics + t;
    let size = 0;
    for (const block of blocks) size += block.bufs[c]!.length + MAX_NUMBER * block.slots.length;
    const out = this.#recycler.take(size, SCRATCH);
    taken.push(out);
    let at = 0;
    for (const block of blocks) {
      const src = block.bufs[c]!;
      const ends = block.ends[c]!;
      const since = block.since[t]!;
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i]!;
        if (end === start) continue;
        // A native copy, not a byte loop: a scrape may come before the JIT has optimised this
        // function, and an interpreted loop over 1.5 MB of prefixes takes ten times as long.
        src.copy(out, at, start, end);
        at += end - start;
        start = end;
        at = writeSecondsSince(out, at, now, since[i]!);
        out[at++] = 0x0a;
      }
    }
    return out.subarray(0, at);
  }

  #rebuild(block: Block): void {
    const kept = block.reshaped ? block.slots.filter((s) => s.live) : block.slots;
    const touched = block.dirty.map((d) => d || block.reshaped);
    for (let c = 0; c < this.#columns; c++) {
      if (!touched[c]) continue;
      const oldBuf = block.bufs[c]!;
      const oldEnds = block.ends[c]!;
      const start = (s: Slot): number => (s.index > 0 ? oldEnds[s.index - 1]! : 0);
      // Byte lengths first. Lines are nearly always ASCII (the caller knows: labels decide it), and
      // then length is the byte count; a call into C++ per line would cost more than the copying.
      const lengths = new Uint32Array(kept.length);
      let total = 0;
      kept.forEach((s, i) => {
        const text = s.pending?.lines[c];
        const n = text === undefined ? oldEnds[s.index]! - start(s) : s.pending!.ascii ? text.length : Buffer.byteLength(text);
        lengths[i] = n;
        total += n;
      });
      const whole = this.#recycler.take(total, BLOCKS);
      const buf = whole.subarray(0, total);
      const ends = new Uint32Array(kept.length);
      let at = 0;
      for (let i = 0; i < kept.length;) {
        const s = kept[i]!;
        if (s.pending?.lines[c] === undefined) {
          oldBuf.copy(buf, at, start(s), oldEnds[s.index]);
          at += lengths[i]!;
          ends[i++] = at;
          continue;
        }
        // A run of changed lines is encoded with one write.
        const runStart = at;
        const run: string[] = [];
        for (; i < kept.length && kept[i]!.pending?.lines[c] !== undefined; i++) {
          run.push(kept[i]!.pending!.lines[c]!);
          at += lengths[i]!;
          ends[i] = at;
        }
        buf.write(run.join(''), runStart);
      }
      block.ends[c] = ends;
      if (buf.equals(oldBuf)) {
        // Rewritten to the same bytes (a removed export had no line here, say): the old Buffer stays,
        // and with it what is cached against it, which a new Buffer with equal bytes would lose.
        this.#recycler.retire(whole, BLOCKS);
        continue;
      }
      // After the copying above; a scrape still writing the old bytes keeps them from reuse.
      this.#recycler.retire(block.wholes[c]!, BLOCKS);
      block.bufs[c] = buf;
      block.wholes[c] = whole;
    }
    block.since = block.since.map((old, t) => {
      if (!touched[this.#statics + t]) return old;
      const next = new Float64Array(kept.length);
      kept.forEach((s, i) => (next[i] = s.pending?.lines[this.#statics + t] === undefined ? old[s.index]! : s.pending.since[t]!));
      return next;
    });
    kept.forEach((s, i) => {
      s.index = i;
      s.pending = undefined;
    });
    block.slots = kept;
    block.waiting = 0;
    block.dirty.fill(false);
    block.reshaped = false;
  }
}
