import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { exportKeyId } from '../domain/export.js';
import type { ExportState } from '../store/export-state.js';
import type { ExportStore } from '../store/export-store.js';
import { parseStateFile, removeStaleTempFiles, restoreFacts, snapshot, writeFileAtomic } from '../store/state-file.js';

export interface Persistence {
  /** Puts the facts from the state file into the store's exports. Never throws. */
  restore(store: ExportStore): Promise<number>;
  /** Writes the facts if they changed since the last write. Never throws. */
  save(states: Iterable<ExportState>): Promise<void>;
}

/** `--storage.path`: a small JSON file of facts, rewritten atomically after each poll cycle. */
export function createPersistence(path: string, logger: Logger): Persistence {
  let lastWritten: string | undefined;
  return {
    async restore(store) {
      const stale = await removeStaleTempFiles(path);
      if (stale > 0) logger.info({ path, removed: stale }, 'removed temporary state files left by an interrupted write');
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOENT') logger.info({ path }, 'no state file yet; starting fresh');
        else logger.warn({ path, code }, 'state file unreadable; starting fresh');
        return 0;
      }
      const parsed = parseStateFile(text);
      if (typeof parsed === 'string') {
        logger.warn({ path, problem: parsed }, 'state file is corrupt and was ignored; starting fresh');
        return 0;
      }
      lastWritten = text;
      let restored = 0;
      for (const state of [...store.states()]) {
        const id = exportKeyId(state.target);
        const facts = parsed.exports[id];
        if (facts === undefined) continue;
        store.replace(id, (s) => restoreFacts(s, facts));
        restored++;
      }
      logger.info({ path, restored }, 'state restored');
      return restored;
    },
    async save(states) {
      const text = JSON.stringify(snapshot(states));
      if (text === lastWritten) return;
      try {
        await writeFileAtomic(path, text);
        lastWritten = text;
      } catch (err) {
        logger.warn({ path, code: (err as { code?: string }).code, err: String(err) }, 'could not write the state file');
      }
    },
  };
}
