import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { FILE_LIMITS, formatBytes, readBounded } from '../../files/bounded-read.js';
import { acquireLock } from './track-lock.js';

/**
 * `export start --track-file`: adds the new exports to an export file (the YAML list `export_files` names), keeping
 * what is there, comments included. The file is opened (locked, read with the limits the exporter applies to export
 * files, checked to be a list) before any export is started, so a file that cannot take the new exports stops the
 * start instead of leaving untracked exports behind. It is replaced atomically (temporary file + rename in the same
 * directory), so a running exporter reads either the old list or the new one, never half of it, and keeps its mode.
 */

export interface TrackedEntry {
  readonly server_id: string;
  readonly export_id: string;
  readonly account: string;
  readonly project_id?: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The file opened for appending: held locked until `append` or `release`. */
export interface TrackFile {
  append(entries: readonly TrackedEntry[]): Promise<void>;
  release(): Promise<void>;
}

/** An export file may hold no more than the exporter reads from one. */
const CAP = FILE_LIMITS.config;

function appendTo(doc: Document & { contents: YAMLSeq }, entries: readonly TrackedEntry[]): string {
  for (const e of entries) doc.contents.add(doc.createNode(e));
  return doc.toString();
}

function parseList(text: string, path: string): Document & { contents: YAMLSeq } {
  const doc = parseDocument(text) as unknown as Document;
  if (doc.errors.length > 0) throw new Error(`${path}: not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? 'syntax error'}); not changed`);
  if (doc.contents === null || doc.contents === undefined) doc.contents = new YAMLSeq();
  if (!isSeq(doc.contents)) throw new Error(`${path}: expected a YAML list of exports; not changed`);
  return doc as Document & { contents: YAMLSeq };
}

interface Listed {
  readonly text: string;
  readonly doc: Document & { contents: YAMLSeq };
  /** Which version of the file was read; undefined when there is none yet. */
  readonly signature: string | undefined;
  readonly mode: number | undefined;
}

/** Reads and parses the list; a file unchanged since `before` is not parsed again (a big one takes seconds). */
async function readList(path: string, before?: Listed): Promise<Listed> {
  const read = await readBounded(path, 'config');
  if (!read.ok) {
    if (read.code === 'ENOENT') return { text: '', doc: parseList('', path), signature: undefined, mode: undefined };
    throw new Error(`${path}: cannot read: ${read.reason}; not changed`);
  }
  if (before !== undefined && before.signature === read.signature) return before;
  const text = read.data.toString('utf8');
  const doc = parseList(text, path);
  const mode = await stat(path).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  return { text, doc, signature: read.signature, mode };
}

/**
 * Locks and checks the file; `servers` new entries must still fit under the cap. Throws (with nothing locked) when
 * the file cannot take them.
 */
export async function openTrackFile(path: string, servers: number): Promise<TrackFile> {
  await mkdir(dirname(path), { recursive: true });
  const unlock = await acquireLock(`${path}.lock`);
  let first: Listed;
  try {
    first = await readList(path);
    // An entry is ~100 bytes; 512 each leaves room for long names and labels.
    if (Buffer.byteLength(first.text) + servers * 512 > CAP) {
      throw new Error(`${path}: too large to add ${servers} more export(s) within the ${formatBytes(CAP)} an export file may hold; not changed`);
    }
  } catch (err) {
    await unlock();
    throw err;
  }
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await unlock();
  };
  return {
    async append(entries) {
      try {
        // Read again: a person may have edited it while the exports were started (another start cannot: the lock).
        const { doc, mode } = await readList(path, first);
        const next = appendTo(doc, entries);
        if (Buffer.byteLength(next) > CAP) throw new Error(`${path}: would grow past the ${formatBytes(CAP)} an export file may hold; not changed`);
        const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
        try {
          await writeFile(temp, next, { mode: mode ?? 0o644, flush: true });
          // The umask may have narrowed the mode given to open(2); the file keeps exactly the one it had.
          if (mode !== undefined) await chmod(temp, mode);
          await rename(temp, path);
        } catch (err) {
          await unlink(temp).catch(() => undefined);
          throw err;
        }
      } finally {
        await release();
      }
    },
    release,
  };
}
