import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { readBounded, signatureOf } from '../files/bounded-read.js';
import { exportKeyId } from '../domain/export.js';
import type { ExportState } from '../domain/export-state.js';
import type { ExportStore } from './export-store.js';
import { parseStateFile, removeStaleTempFiles, restoreFacts, snapshot, writeFileAtomic } from './state-file.js';
import { foreignReason, type StorageTarget } from './storage-path.js';

export interface Persistence {
  /** Puts the facts from the state file into the store's exports. Never throws. */
  restore(store: ExportStore): Promise<number>;
  /**
   * Writes the facts if they changed since the last write; false when they could not be written. Never throws.
   * Writes happen one at a time, each with the facts as they are when its turn comes.
   */
  save(states: Iterable<ExportState>): Promise<boolean>;
}

/** Another part of the state file, kept by its owner (automatic collection's memory). */
export interface StateSection {
  snapshot(): unknown;
  /** Called before the exports' facts are restored; returns how many entries it took, or a problem. */
  restore(raw: unknown): number | string;
}

/**
 * `--storage.path`: a small JSON file of facts, rewritten atomically after each poll cycle. Before a rewrite,
 * a file that changed since the exporter last wrote it is read again: if something else now stands there (a
 * FIFO, another program's file), it is left alone and the refusal logged once.
 */
export function createPersistence(target: StorageTarget, logger: Logger, section?: StateSection): Persistence {
  const path = target.file;
  let lastWritten: string | undefined;
  // The version of the file the exporter knows to be its own (read at start or written by it).
  let known = target.signature;
  let mode = target.mode ?? 0o600;
  let refused: string | undefined;
  let queue: Promise<boolean> = Promise.resolve(true);

  /** Whether the file may be replaced now; logs a refusal once per version of the file. */
  async function mayWrite(): Promise<boolean> {
    let signature: string;
    try {
      const s = await fs.stat(path);
      signature = signatureOf(s);
      if (signature === known) return true;
      if (s.isFile()) mode = s.mode & 0o7777;
    } catch (err) {
      // Gone (or never written): nothing to protect.
      if ((err as { code?: string }).code === 'ENOENT') return true;
      signature = `error:${(err as { code?: string }).code}`;
    }
    const foreign = signature.startsWith('error:') ? signature.slice(6) : await foreignReason(path);
    if (foreign === undefined) return true;
    if (refused !== signature) logger.error({ path, problem: foreign }, "not writing the state file: the file there is not the exporter's");
    refused = signature;
    return false;
  }

  async function write(states: Iterable<ExportState>): Promise<boolean> {
    const text = JSON.stringify(snapshot(states, section?.snapshot()));
    if (text === lastWritten) return true;
    try {
      if (!(await mayWrite())) return false;
      await writeFileAtomic(path, text, mode);
      lastWritten = text;
      known = signatureOf(await fs.stat(path));
      refused = undefined;
      return true;
    } catch (err) {
      logger.warn({ path, code: (err as { code?: string }).code, err: String(err) }, 'could not write the state file');
      return false;
    }
  }

  return {
    async restore(store) {
      const stale = await removeStaleTempFiles(path);
      if (stale > 0) logger.info({ path, removed: stale }, 'removed temporary state files left by an interrupted write');
      const read = await readBounded(path, 'state');
      if (!read.ok) {
        if (read.code === 'ENOENT') logger.info({ path }, 'no state file yet; starting fresh');
        else logger.warn({ path, problem: read.reason }, 'state file unreadable; starting fresh');
        return 0;
      }
      const text = read.data.toString('utf8');
      const parsed = parseStateFile(text);
      if (typeof parsed === 'string') {
        logger.warn({ path, problem: parsed }, 'state file is corrupt and was ignored; starting fresh');
        return 0;
      }
      lastWritten = text;
      if (section !== undefined && parsed.auto_collect !== undefined) {
        const taken = section.restore(parsed.auto_collect);
        if (typeof taken === 'string') logger.warn({ path, problem: taken }, 'state file: auto_collect section is corrupt and was ignored');
        else logger.info({ path, servers: taken }, 'auto_collect state restored');
      }
      let restored = 0;
      for (const state of [...store.states()]) {
        const id = exportKeyId(state.target);
        const facts = parsed.exports[id];
        if (facts === undefined) continue;
        store.update(id, (s) => restoreFacts(s, facts));
        restored++;
      }
      logger.info({ path, restored }, 'state restored');
      return restored;
    },
    save(states) {
      queue = queue.then(() => write(states));
      return queue;
    },
  };
}
