import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Keeps the download directory under its size: the oldest bundles (by modification time) are removed until the
 * rest fit. Only visible regular files count and go; hidden files (partial downloads, `.NAME.PID.HEX.part`) and
 * anything else are left alone. Never throws: a file that cannot be removed is skipped and tried again next time.
 */
export async function capDirectory(dir: string, maxBytes: number): Promise<{ removed: string[]; bytes: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { removed: [], bytes: 0 };
  }
  const files: Array<{ path: string; size: number; mtimeMs: number }> = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    try {
      const s = await lstat(path);
      if (s.isFile()) files.push({ path, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // Gone meanwhile.
    }
  }
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  let bytes = files.reduce((n, f) => n + f.size, 0);
  const removed: string[] = [];
  for (const f of files) {
    if (bytes <= maxBytes) break;
    try {
      await unlink(f.path);
      bytes -= f.size;
      removed.push(f.path);
    } catch {
      // Not ours to remove after all (permissions): the next pass tries again.
    }
  }
  return { removed, bytes };
}
