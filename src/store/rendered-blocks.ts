/**
 * Pre-rendered exposition bytes for many exports, grouped in blocks.
 *
 * A scrape of 10,000 exports is about 26 MB of text. Building that as one string per scrape
 * allocates and copies it several times (join, UTF-8 encoding, the HTTP write), and on these
 * machines touching fresh memory is what costs. So the text is kept as encoded Buffers, one per
 * block of exports and family, and a scrape hands those Buffers to the socket as they are. A
 * changed export marks its block stale; a stale block is rebuilt at the next scrape, copying its
 * unchanged exports' bytes from the old Buffer, so only the changed lines are encoded again and
 * no per-export strings are kept in memory.
 */

const BLOCK_SIZE = 256;

export interface Slot {
  /** Set while the slot's new text is not yet in its block's Buffers: one string per family. */
  pending: string[] | undefined;
  /** The pending text is pure ASCII, so its length is its byte count. */
  ascii: boolean;
  /** False once removed; the block drops it at its next rebuild. */
  live: boolean;
  block: Block;
  /** Index in block.slots as of the last rebuild (for copying the old bytes). */
  index: number;
}

interface Block {
  slots: Slot[];
  /** Per family: the bytes of every slot in order, and where each slot's bytes end. */
  bufs: Buffer[];
  ends: Uint32Array[];
  stale: boolean;
}

export class RenderedBlocks {
  readonly #families: number;
  readonly #blocks: Block[] = [];

  constructor(families: number) {
    this.#families = families;
  }

  /** A new slot at the end, holding `lines` (one string per family). */
  add(lines: string[], ascii = false): Slot {
    let block = this.#blocks.at(-1);
    if (block === undefined || block.slots.length >= BLOCK_SIZE) {
      block = { slots: [], bufs: [], ends: [], stale: true };
      for (let f = 0; f < this.#families; f++) {
        block.bufs.push(Buffer.alloc(0));
        block.ends.push(new Uint32Array(0));
      }
      this.#blocks.push(block);
    }
    const slot: Slot = { pending: lines, ascii, live: true, block, index: -1 };
    block.slots.push(slot);
    block.stale = true;
    return slot;
  }

  update(slot: Slot, lines: string[], ascii = false): void {
    slot.pending = lines;
    slot.ascii = ascii;
    slot.block.stale = true;
  }

  remove(slot: Slot): void {
    slot.live = false;
    slot.pending = undefined;
    slot.block.stale = true;
  }

  /** Brings every stale block up to date; call once before reading chunks. */
  refresh(): void {
    for (const block of this.#blocks) if (block.stale) this.#rebuild(block);
    // Blocks emptied by removals go; the blocks after them keep their order.
    for (let i = this.#blocks.length - 1; i >= 0; i--) if (this.#blocks[i]!.slots.length === 0) this.#blocks.splice(i, 1);
  }

  /** Buffers of family `f` in export order, as of the last refresh(). */
  chunks(f: number, out: Buffer[]): void {
    for (const block of this.#blocks) {
      const buf = block.bufs[f]!;
      if (buf.length > 0) out.push(buf);
    }
  }

  #rebuild(block: Block): void {
    const kept = block.slots.filter((s) => s.live);
    for (let f = 0; f < this.#families; f++) {
      const oldBuf = block.bufs[f]!;
      const oldEnds = block.ends[f]!;
      const start = (s: Slot): number => (s.index > 0 ? oldEnds[s.index - 1]! : 0);
      // Byte lengths first. Lines are nearly always ASCII (the caller knows: labels decide it), and
      // then length is the byte count; a call into C++ per line would cost more than the copying.
      const lengths = new Uint32Array(kept.length);
      let total = 0;
      kept.forEach((s, i) => {
        const text = s.pending?.[f];
        const n = text === undefined ? oldEnds[s.index]! - start(s) : s.ascii ? text.length : Buffer.byteLength(text);
        lengths[i] = n;
        total += n;
      });
      const buf = Buffer.allocUnsafeSlow(total);
      const ends = new Uint32Array(kept.length);
      let at = 0;
      for (let i = 0; i < kept.length; ) {
        const s = kept[i]!;
        if (s.pending === undefined) {
          oldBuf.copy(buf, at, start(s), oldEnds[s.index]);
          at += lengths[i]!;
          ends[i++] = at;
          continue;
        }
        // A run of changed slots is encoded with one write.
        const runStart = at;
        const run: string[] = [];
        for (; i < kept.length && kept[i]!.pending !== undefined; i++) {
          run.push(kept[i]!.pending![f]!);
          at += lengths[i]!;
          ends[i] = at;
        }
        buf.write(run.join(''), runStart);
      }
      block.bufs[f] = buf;
      block.ends[f] = ends;
    }
    kept.forEach((s, i) => {
      s.index = i;
      s.pending = undefined;
    });
    block.slots = kept;
    block.stale = false;
  }
}
