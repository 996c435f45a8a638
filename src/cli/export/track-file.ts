import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';

/**
 * `export start --track-file`: adds the new exports to an export file (the YAML list `export_files` names), keeping
 * what is there, comments included. The file is replaced atomically (temporary file + rename in the same
 * directory), so a running exporter reads either the old list or the new one, never half of it. A lock file
 * serialises concurrent starts writing the same file; one older than 30 s is taken to be left over from a crash.
 */

export interface TrackedEntry {
  readonly server_id: string;
  readonly export_id: string;
  readonly account: string;
  readonly project_id?: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await unlink(lockPath).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`${lockPath} has been held for ${LOCK_WAIT_MS / 1000} s; is another start writing this file?`);
      else await delay(50);
    }
  }
}

/** The file's new text with `entries` appended; throws when the file holds something other than a list. */
export function appendEntries(text: string, entries: readonly TrackedEntry[], path: string): string {
  const doc = parseDocument(text) as unknown as Document;
  if (doc.errors.length > 0) throw new Error(`${path}: not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? 'syntax error'}); not changed`);
  if (doc.contents === null || doc.contents === undefined) doc.contents = new YAMLSeq();
  if (!isSeq(doc.contents)) throw new Error(`${path}: expected a YAML list of exports; not changed`);
  for (const e of entries) doc.contents.add(doc.createNode(e));
  return doc.toString();
}

export async function trackExports(path: string, entries: readonly TrackedEntry[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const unlock = await lock(path);
  try {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
    }
    const next = appendEntries(text, entries, path);
    const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, next, { mode: 0o644, flush: true });
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  } finally {
    await unlock();
  }
}
