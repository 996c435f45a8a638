import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** A short reason for a failed file operation; node's messages repeat the path and add syscall names. */
export function describeFsError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return 'unknown error';
}

/**
 * Why `file` cannot be read, or undefined if it can. Checked with stat and access rather than by opening it:
 * opening a FIFO for reading would block until a writer appears.
 */
export async function unreadableReason(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return info.isDirectory() ? 'is a directory' : 'not a regular file';
    await access(file, constants.R_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}
