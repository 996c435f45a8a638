import { createHash } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { readBounded } from '../files/bounded-read.js';

/**
 * What many files hold, as one hash, checked every few seconds without reading them all. Each file is stat()ed
 * (links followed, so a ConfigMap's ..data swap counts); only a file whose device, inode, size, mtime or ctime
 * changed is read and hashed again, and the hash over all of them is computed only when a file or the list
 * changed. 10,000 export files read and hashed every 5 s took 69 % of a core.
 */

/** A file modified this recently may change again within the same timestamp; it is read until it is older. */
const RACY_MS = 2000;
/** stat() calls between turns of the event loop, so a check of 10,000 files never holds it for long. */
const BATCH = 512;

interface Known {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** SHA-256 of the content, or why it was refused (then `dev` is -1 for a file that could not be stat()ed). */
  readonly digest: string;
}

const same = (k: Known, s: Stats): boolean => k.dev === s.dev && k.ino === s.ino && k.size === s.size && k.mtimeMs === s.mtimeMs && k.ctimeMs === s.ctimeMs;

export class FileFingerprints {
  #known = new Map<string, Known>();
  #paths: readonly string[] = [];
  #digest = '';
  /** Files read by the last fingerprint() (tests, the benchmark). */
  lastReads = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async fingerprint(paths: readonly string[]): Promise<string> {
    const known = new Map<string, Known>();
    const now = this.now();
    let reads = 0;
    let changed = paths.length !== this.#paths.length || paths.some((p, i) => p !== this.#paths[i]);
    for (let i = 0; i < paths.length; i++) {
      if (i > 0 && i % BATCH === 0) await yieldToLoop();
      const path = paths[i]!;
      const stats = statSync(path, { throwIfNoEntry: false });
      let entry = this.#known.get(path);
      const racy = stats !== undefined && now - Math.max(stats.mtimeMs, stats.ctimeMs) < RACY_MS;
      if (entry === undefined || stats === undefined || !same(entry, stats) || racy) {
        // Export files get the same limits as the config file (size, regular files only).
        const read = await readBounded(path, 'config');
        reads++;
        const digest = read.ok ? createHash('sha256').update(read.data).digest('hex') : `refused: ${read.reason}`;
        changed ||= entry?.digest !== digest;
        entry = stats === undefined ? { dev: -1, ino: 0, size: 0, mtimeMs: 0, ctimeMs: 0, digest } : { ...pick(stats), digest };
      }
      known.set(path, entry);
    }
    // Files no longer matched are forgotten.
    this.#known = known;
    this.lastReads = reads;
    if (changed) {
      this.#paths = [...paths];
      const hash = createHash('sha256');
      for (const [path, k] of known) hash.update(path).update('\0').update(k.digest).update('\0');
      this.#digest = hash.digest('hex');
    }
    return this.#digest;
  }
}

function pick(s: Stats): Omit<Known, 'digest'> {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}
