import { promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import { readBounded, refusal, signatureOf } from '../files/bounded-read.js';
import { describeFsError } from '../files/fs-error.js';
import { parseStateFile } from './state-file.js';
import type { Result } from '../domain/result.js';

/**
 * `--storage.path` names a file the exporter owns alone. A directory (what a volume mount gives) holds it as
 * `state.json`. The exporter refuses to start rather than overwrite anything that is not its own: the config
 * file, the web config, a secret or TLS file (also through a link or a hard link), a device, a FIFO, a socket,
 * or a file whose content is not a state file.
 */

export const STATE_FILE_NAME = 'state.json';

/** What the exporter's own writer always starts a file with; a torn write of it keeps this prefix. */
const OWN_PREFIX = '{"version":1,"exports":{';

export interface ProtectedFile {
  /** "the config file", "the web config file", "the token file of account a", ... */
  readonly what: string;
  readonly path: string;
}

export interface StorageTarget {
  /** The file to write: links resolved, so that a link to the state file stays a link. */
  readonly file: string;
  /** The signature of the file as found (undefined: it does not exist yet). */
  readonly signature?: string;
  /** The mode the operator gave the existing file; kept on every rewrite. */
  readonly mode?: number;
}

export type StorageResult = Result<StorageTarget>;

/** True when `text` is a state file this exporter wrote (whole, or torn by a crash mid-write), or empty. */
export function isOwnState(text: string): boolean {
  if (text.trim() === '' || text.startsWith(OWN_PREFIX)) return true;
  return typeof parseStateFile(text) !== 'string';
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Checks an existing file is a regular file that holds the exporter's state; undefined when it is. */
export async function foreignReason(file: string): Promise<string | undefined> {
  const read = await readBounded(file, 'state');
  if (!read.ok) return read.reason;
  return isOwnState(read.data.toString('utf8'))
    ? undefined
    : 'exists and is not a clouddc-exporter state file; refusing to overwrite it (move it away or choose another path)';
}

export async function resolveStoragePath(path: string, protect: readonly ProtectedFile[]): Promise<StorageResult> {
  const fail = (message: string): StorageResult => ({ ok: false, problems: [`--storage.path: ${path}: ${message}`] });
  try {
    let file = path;
    let info = await statOrUndefined(path);
    if (info?.isDirectory()) {
      file = join(path, STATE_FILE_NAME);
      info = await statOrUndefined(file);
    }
    if (info === undefined) return { ok: true, value: { file } };
    const why = refusal(info, 'state');
    if (why !== undefined) return fail(file === path ? why : `${file}: ${why}`);
    for (const p of protect) {
      const other = await statOrUndefined(p.path).catch(() => undefined);
      if (other !== undefined && other.dev === info.dev && other.ino === info.ino) {
        return fail(`is ${p.what} (${p.path}); the state file must be a file of its own`);
      }
    }
    const real = await fs.realpath(file);
    const foreign = await foreignReason(real);
    if (foreign !== undefined) return fail(file === path ? foreign : `${file}: ${foreign}`);
    return { ok: true, value: { file: real, signature: signatureOf(info), mode: info.mode & 0o7777 } };
  } catch (err) {
    return fail(describeFsError(err));
  }
}
