/**
 * gzip for /metrics from cached pieces. Most of an exposition is the same Buffers scrape after scrape (blocks
 * rebuild only when their exports change), so each chunk is compressed once, as a raw-deflate segment that
 * ends on a byte boundary (sync flush) without the final-block bit. Segments compressed independently can be
 * joined into one deflate stream; the gzip trailer's CRC-32 is combined from the chunks' own CRCs. The result
 * is one ordinary gzip member, which every client reads (concatenated members would save the stitching, but
 * not every client reads past the first).
 */
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

interface Segment {
  readonly deflated: Buffer;
  readonly crc: number;
  readonly length: number;
}

/** gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty fixed-Huffman block with the final bit: ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

const POLY = 0xedb88320;

/** (a × b) modulo the CRC-32 polynomial, bit-reflected (zlib's multmodp); a must not be 0. */
function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod p. */
const X2N: number[] = [];
for (let k = 0, p = 0x40000000; k < 32; k++) {
  X2N.push(p);
  p = multmodp(p, p);
}

/** x^(n × 2^k) mod p. */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** The CRC-32 of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA) ^ crcB) >>> 0;
}

/** Compresses one chunk into a raw-deflate segment that ends on a byte boundary. */
export type Deflate = (chunk: Buffer) => Promise<Buffer>;

// Level 1: the exposition is repetitive, so fast compression already gets most of the gain.
const deflateSegment: Deflate = (chunk) => deflateRawAsync(chunk, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });

/**
 * Compressions running at once, over all scrapes: each holds a zlib context (about 256 KiB) and its output, and the
 * machine has few cores to run them on anyway.
 */
const DEFAULT_PARALLEL = 2;

export class GzipStitcher {
  /** Weak: a chunk that is no longer served takes its segment with it. Chunks are never changed in place. */
  readonly #segments = new WeakMap<Buffer, Segment>();
  /**
   * The compression in flight per chunk: concurrent scrapes of an uncached chunk share it instead of each
   * compressing the chunk again (issue 21: 200 scrapes after a poll compressed every changed chunk 200 times).
   */
  readonly #inFlight = new WeakMap<Buffer, Promise<Segment>>();
  readonly #deflate: Deflate;
  readonly #parallel: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(opts: { readonly deflate?: Deflate; readonly parallel?: number } = {}) {
    this.#deflate = opts.deflate ?? deflateSegment;
    this.#parallel = opts.parallel ?? DEFAULT_PARALLEL;
  }

  /** One gzip member holding `chunks` in order, as a list of Buffers to write. */
  async gzip(chunks: readonly Buffer[]): Promise<Buffer[]> {
    const segments = await Promise.all(chunks.map((c) => this.#segment(c)));
    let crc = 0;
    let length = 0;
    for (const s of segments) {
      crc = crc32Combine(crc, s.crc, s.length);
      length += s.length;
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    return [HEADER, ...segments.map((s) => s.deflated), FINAL_BLOCK, trailer];
  }

  #segment(chunk: Buffer): Promise<Segment> {
    const cached = this.#segments.get(chunk);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#inFlight.get(chunk);
    if (pending !== undefined) return pending;
    const started = this.#compress(chunk).finally(() => this.#inFlight.delete(chunk));
    this.#inFlight.set(chunk, started);
    return started;
  }

  async #compress(chunk: Buffer): Promise<Segment> {
    // A finished compression hands its place straight to the next one waiting.
    if (this.#running < this.#parallel) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      const segment = { deflated: await this.#deflate(chunk), crc: crc32(chunk), length: chunk.length };
      this.#segments.set(chunk, segment);
      return segment;
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
