const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
};

/** A short reason for a failed file operation; node's messages repeat the path and add syscall names. */
export function describeFsError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return 'unknown error';
}
