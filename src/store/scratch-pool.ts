/**
 * Reusable scratch Buffers for the bytes a scrape writes afresh (ages).
 *
 * On the VMs we measure on, the first touch of freshly allocated memory costs about 3 µs per
 * 4 KiB page: a new 2.6 MB Buffer per scrape was 9 ms of page faults, most of a scrape's
 * server-side time. Reusing the previous scrape's Buffer avoids that, but only once the socket
 * is done with it, so a Buffer is leased until the HTTP layer says the response is over. A lease
 * that is never given back (a test reading the text once) is simply left to the GC.
 */
export class ScratchPool {
  readonly #free: Buffer[] = [];
  /** Handed-out views, mapped to the whole Buffer they came from; weak, so a lease never given back is no leak. */
  readonly #leased = new WeakMap<Buffer, Buffer>();
  readonly #keep: number;

  /** `keep` idle Buffers at most are held for reuse; concurrent scrapes beyond that allocate. */
  constructor(keep = 2) {
    this.#keep = keep;
  }

  /** A Buffer of at least `size` bytes, with undefined contents. */
  take(size: number): Buffer {
    const i = this.#free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.#free.splice(i, 1)[0]!;
    // Headroom, so a slightly longer exposition next time still fits.
    return Buffer.allocUnsafeSlow(Math.ceil(size * 1.125));
  }

  /** Marks `view` (a part of a Buffer from take()) as handed out until give(). */
  lend(view: Buffer, whole: Buffer): Buffer {
    this.#leased.set(view, whole);
    return view;
  }

  /** Takes back whichever of `chunks` this pool lent; the others are ignored. Idempotent. */
  give(chunks: Iterable<Buffer>): void {
    for (const c of chunks) {
      const whole = this.#leased.get(c);
      if (whole === undefined) continue;
      this.#leased.delete(c);
      if (this.#free.length < this.#keep) this.#free.push(whole);
    }
  }
}
