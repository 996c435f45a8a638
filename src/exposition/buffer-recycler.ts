/**
 * Reuses the Buffers that hold exposition bytes instead of allocating fresh ones.
 *
 * Touching freshly allocated memory costs page faults, and the exposition is rebuilt and the ages
 * Buffer rewritten all the time; memory freed that way also stays with the C allocator, fragmented.
 * The measurements are in docs/performance.md.
 *
 * A Buffer may be reused only once no scrape can still be writing it to a socket. Scrapes are
 * reads: a Buffer retired while reads are open waits in quarantine until every read that began
 * before it was retired has ended. Not until no read is open at all: scrapes that overlap without
 * end (many scrapers) would otherwise keep the whole quarantine, 64 MB, and every allocation after it.
 * A read that never ends (a caller that does not give its chunks back) only stops the reuse;
 * quarantine and the free lists are capped, and whatever does not fit is left to the GC.
 *
 * Buffers are kept in separate pools by purpose, so that one kind (many block columns) cannot
 * crowd out another (the one large ages Buffer each scrape needs).
 */

export interface PoolLimits {
  /** Idle bytes kept at most. */
  readonly bytes: number;
  /** Idle Buffers kept at most. */
  readonly count: number;
}

interface Pool {
  readonly limits: PoolLimits;
  free: Buffer[];
  bytes: number;
}

/** Retired while scrapes were open; more than this is dropped. */
const QUARANTINE_CAP_BYTES = 64 * 1024 * 1024;

export class BufferRecycler {
  readonly #pools: Pool[];
  /** Oldest first; `after`: the reads with a lower number may still be writing it. */
  #quarantine: Array<{ buf: Buffer; pool: number; after: number }> = [];
  #quarantineBytes = 0;
  /** Numbers of the open reads, oldest first (a Set keeps insertion order). */
  readonly #open = new Set<number>();
  #nextRead = 0;

  /** One pool per entry of `limits`; take() and retire() name the pool by its index. */
  constructor(limits: readonly PoolLimits[]) {
    this.#pools = limits.map((l) => ({ limits: l, free: [], bytes: 0 }));
  }

  /** A Buffer of at least `size` bytes with undefined contents; only its first `size` bytes are meant to be used. */
  take(size: number, pool = 0): Buffer {
    const p = this.#pools[pool]!;
    let best = -1;
    for (let i = 0; i < p.free.length; i++) {
      const len = p.free[i]!.length;
      // Not much larger than asked: the spare bytes stay resident for as long as the Buffer lives.
      if (len >= size && len <= size + (size >> 2) + 4096 && (best < 0 || len < p.free[best]!.length)) best = i;
    }
    if (best >= 0) {
      const [buf] = p.free.splice(best, 1);
      p.bytes -= buf!.length;
      return buf!;
    }
    // A little headroom, so the same column after a small change still fits.
    return Buffer.allocUnsafeSlow(size === 0 ? 0 : size + (size >> 4));
  }

  /** `buf` (from take() on `pool`) is no longer served to new readers. */
  retire(buf: Buffer, pool = 0): void {
    if (buf.length === 0) return;
    if (this.#open.size > 0) {
      if (this.#quarantineBytes + buf.length > QUARANTINE_CAP_BYTES) return;
      this.#quarantine.push({ buf, pool, after: this.#nextRead });
      this.#quarantineBytes += buf.length;
      return;
    }
    this.#keep(buf, pool);
  }

  /** A scrape starts reading the current Buffers; call the returned function once it is done. */
  beginRead(): () => void {
    const id = this.#nextRead++;
    this.#open.add(id);
    return () => {
      if (!this.#open.delete(id)) return;
      const oldest = this.#open.values().next();
      const before = oldest.done ? Infinity : oldest.value;
      let n = 0;
      while (n < this.#quarantine.length && this.#quarantine[n]!.after <= before) n++;
      if (n === 0) return;
      for (const { buf, pool } of this.#quarantine.splice(0, n)) {
        this.#quarantineBytes -= buf.length;
        this.#keep(buf, pool);
      }
    };
  }

  #keep(buf: Buffer, pool: number): void {
    const p = this.#pools[pool]!;
    if (p.bytes + buf.length > p.limits.bytes || p.free.length >= p.limits.count) return;
    p.free.push(buf);
    p.bytes += buf.length;
  }
}
