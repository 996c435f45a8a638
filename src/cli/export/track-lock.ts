import { lstat, open, unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { readBounded } from '../../files/bounded-read.js';
import { pidAlive } from '../../bundles/stale-parts.js';

/**
 * The lock file that serialises concurrent `export start --track-file` runs on one file: created exclusively, holding
 * the owner's pid. A lock whose owner is gone (killed mid-start) is taken over at once; one without a readable pid
 * (its owner died between creating and writing it, or an older version wrote it) once it is LOCK_STALE_MS old. A lock
 * whose owner runs is never taken: after LOCK_WAIT_MS the start gives up, before it has started anything.
 */

export const LOCK_WAIT_MS = 10_000;
export const LOCK_STALE_MS = 30_000;

export interface LockOptions {
  readonly waitMs?: number;
  readonly alive?: (pid: number) => boolean;
}

/** The owner's pid, and the file's identity and age; undefined when there is no lock file. */
async function inspect(lockPath: string): Promise<{ pid?: number; ino: number; ageMs: number } | undefined> {
  const s = await lstat(lockPath).catch(() => undefined);
  if (s === undefined) return undefined;
  const read = s.isFile() ? await readBounded(lockPath, 'secret') : undefined;
  const pid = read?.ok === true ? Number(read.data.toString('utf8').trim()) : NaN;
  return { ...(Number.isSafeInteger(pid) && pid > 0 && { pid }), ino: s.ino, ageMs: Date.now() - s.mtimeMs };
}

/** Takes the lock; resolves with the function that releases it. */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const alive = opts.alive ?? pidAlive;
  const deadline = Date.now() + (opts.waitMs ?? LOCK_WAIT_MS);
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o644);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return () => unlink(lockPath).catch(() => undefined);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw new Error(`${lockPath}: cannot create the lock: ${(err as Error).message}`);
    }
    const held = await inspect(lockPath);
    if (held === undefined) continue;
    const stale = held.pid !== undefined ? held.pid !== process.pid && !alive(held.pid) : held.ageMs > LOCK_STALE_MS;
    if (stale) {
      // Only the very file judged stale: a start that took it over meanwhile has a new one.
      const now = await lstat(lockPath).catch(() => undefined);
      if (now?.ino === held.ino) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      const owner = held.pid === undefined ? 'another start' : `process ${held.pid}`;
      throw new Error(`${lockPath} is held by ${owner}; is another start writing this file? Remove the lock if not`);
    }
    await delay(50);
  }
}
