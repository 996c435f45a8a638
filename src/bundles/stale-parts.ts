import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Partial downloads left behind by a run that could not clean up (SIGKILL, a power cut): `.NAME.PID.HEX.part`, the
 * hidden temporary file a download writes before giving it its final name. The next download into the same directory
 * removes those that are certainly dead:
 * - the process that wrote it is gone (its pid names no process on this machine), or
 * - nothing has written to it for STALE_AFTER_MS (a live download writes all the time, and gives up after
 *   `poll.timeout` without a byte), which also covers a pid since reused and the pid-less names of earlier versions.
 * Only regular files whose whole name has that shape are touched; nothing else in the directory is.
 */

export const STALE_AFTER_MS = 60 * 60 * 1000;

const PART = /^\.(.+?)\.(?:(\d{1,10})\.)?[0-9a-f]{8}\.part$/;

export function partName(name: string, pid: number, hex: string): string {
  return `.${name}.${pid}.${hex}.part`;
}

/** True when `pid` names a running process we may not even signal (EPERM: it exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

export interface StaleOptions {
  readonly now?: number;
  readonly alive?: (pid: number) => boolean;
}

/** Removes the dead partial downloads in `dir`; returns their paths. Never throws: this is tidying, not the job. */
export async function removeStaleParts(dir: string, opts: StaleOptions = {}): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const alive = opts.alive ?? pidAlive;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = PART.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    try {
      const s = await lstat(path);
      if (!s.isFile()) continue;
      const pid = m[2] === undefined ? undefined : Number(m[2]);
      const ownerGone = pid !== undefined && pid !== process.pid && !alive(pid);
      if (!ownerGone && now - s.mtimeMs < STALE_AFTER_MS) continue;
      await unlink(path);
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
