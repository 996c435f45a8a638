import { randomBytes } from 'node:crypto';
import { access, link, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describeFsError } from '../files/fs-error.js';
import { partName } from './stale-parts.js';

/**
 * Writing a bundle: streamed to a hidden temporary file next to the final one (same file system, so the rename is
 * atomic), flushed, then given its final name. Whatever goes wrong, including Ctrl+C, the temporary file is removed
 * and nothing appears under the final name.
 */

const SAFE = /[^A-Za-z0-9._-]+/g;
const MAX_NAME = 200;
/** What a cut keeps at the end: `.tar.gz`, `.tgz`, `.zip`; a second suffix only when it is an archive's. */
const EXTENSION = /(?:\.tar)?\.[A-Za-z0-9]{1,8}$/;

/** Cut to MAX_NAME characters, keeping the extension, so that a bundle still opens as what it is. */
export function fitName(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  return `${name.slice(0, MAX_NAME - ext.length)}${ext}`;
}

/**
 * The file name from a Content-Disposition header, made safe to join to a directory: only its last path component,
 * no control characters, no leading dots, only [A-Za-z0-9._-]. `fallback` when nothing usable is left.
 */
export function sanitiseFilename(header: string | string[] | undefined, fallback: string): string {
  const value = Array.isArray(header) ? header[0] : header;
  let raw: string | undefined;
  if (value !== undefined) {
    const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(value);
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(value);
    if (extended?.[1] !== undefined) {
      try {
        raw = decodeURIComponent(extended[1].trim());
      } catch {
        raw = extended[1];
      }
    } else if (plain) {
      raw = (plain[1] ?? plain[2] ?? '').replace(/\\(.)/g, '$1').trim();
    }
  }
  const clean = (s: string): string => (s.split(/[/\\]/).pop() ?? '').replace(SAFE, '_').replace(/^[._]+/, '');
  const name = raw === undefined ? '' : clean(raw);
  return fitName(name === '' ? clean(fallback) || 'bundle.tar.gz' : name);
}

export interface WriteResult {
  readonly path: string;
  readonly bytes: number;
}

export class FileExistsError extends Error {}

/** A failure of our own disk or directory (not of the answer): never retried, reported as `cannot write`. */
export class LocalFileError extends Error {}

async function local<T>(what: string, op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    throw new LocalFileError(`cannot ${what}: ${describeFsError(err)}`, { cause: err });
  }
}

/**
 * Streams `body` into DIR/name. Memory stays at a few stream buffers whatever the size: the pipeline waits for the
 * disk before reading more from the socket. Without `overwrite` an existing file is never replaced (link(2) fails
 * instead), so two runs cannot clobber each other's bundle either.
 */
export async function writeBundle(
  body: Readable,
  dir: string,
  name: string,
  opts: { readonly overwrite: boolean; readonly expectedBytes?: number; readonly onBytes?: (total: number) => void; readonly signal?: AbortSignal },
): Promise<WriteResult> {
  const finalPath = join(dir, name);
  const tempPath = join(dir, partName(name, process.pid, randomBytes(4).toString('hex')));
  // Checked up front too, so a clash is reported before gigabytes are fetched, not after.
  if (
    !opts.overwrite &&
    (await access(finalPath).then(
      () => true,
      () => false,
    ))
  ) {
    throw new FileExistsError(`${finalPath} already exists; remove it or pass --overwrite`);
  }
  const file = await local(`create a file in ${dir}`, open(tempPath, 'wx', 0o644));
  let bytes = 0;
  let closed = false;
  try {
    const onAbort = (): void => void body.destroy(new Error('interrupted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal?.aborted) onAbort();
      // One chunk at a time: the next is read only once the disk has taken this one, so memory stays flat.
      for await (const chunk of body) {
        const b = chunk as Buffer;
        await local(`write ${tempPath}`, file.write(b, 0, b.length));
        bytes += b.length;
        opts.onBytes?.(bytes);
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (opts.expectedBytes !== undefined && bytes !== opts.expectedBytes) {
      throw new Error(`the answer ended after ${bytes} of ${opts.expectedBytes} bytes`);
    }
    await local(`write ${tempPath}`, file.sync());
    await local(`write ${tempPath}`, file.close());
    closed = true;
    if (opts.overwrite) {
      await local(`rename to ${finalPath}`, rename(tempPath, finalPath));
    } else {
      try {
        await link(tempPath, finalPath);
      } catch (err) {
        if ((err as { code?: string }).code === 'EEXIST') throw new FileExistsError(`${finalPath} already exists; remove it or pass --overwrite`);
        throw new LocalFileError(`cannot create ${finalPath}: ${describeFsError(err)}`, { cause: err });
      }
      await unlink(tempPath).catch(() => undefined);
    }
    return { path: finalPath, bytes };
  } catch (err) {
    if (!closed) await file.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
}
