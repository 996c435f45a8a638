import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportKeyId } from '../../src/domain/export.js';
import { createPersistence } from '../../src/store/persistence.js';
import { ExportStore } from '../../src/store/export-store.js';
import { writeFileAtomic } from '../../src/store/state-file.js';
import { success, target } from '../support/factories.js';

/**
 * Issue 21 B7: a disk that fills up under the state file. The write failed after the temporary file existed, and
 * only a failed rename removed it: one `.state.json.<hex>.tmp` was left per failed write (7 in 6 s) until the next
 * start. The errors are injected into the fs functions the write calls (a full tmpfs needs a mount); a directory
 * the exporter may not write is real.
 */

afterEach(() => vi.restoreAllMocks());

const enospc = (call: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${call}`), { code: 'ENOSPC' });

/** Makes `step` of the next writes fail with ENOSPC, the way a full disk fails them. */
function failStep(step: 'chmod' | 'writeFile' | 'sync' | 'close' | 'rename'): void {
  if (step === 'rename') {
    vi.spyOn(fs, 'rename').mockRejectedValue(enospc('rename'));
    return;
  }
  const open = fs.open.bind(fs);
  vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle: FileHandle = await open(...args);
    const real = handle[step].bind(handle) as (...a: unknown[]) => Promise<void>;
    // The real call still runs (a failed close still closes), then the disk's answer.
    (handle as unknown as Record<string, unknown>)[step] = async (...a: unknown[]) => {
      await real(...a).catch(() => undefined);
      throw enospc(step);
    };
    return handle;
  });
}

function stateDir(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cde-state-fail-'));
  const path = join(dir, 'state.json');
  writeFileSync(path, '{"version":1,"exports":{}}');
  return { dir, path };
}

describe('state writes on a full disk', () => {
  it.each(['chmod', 'writeFile', 'sync', 'close', 'rename'] as const)('a failed %s leaves no temporary file and the old state', async (step) => {
    const { dir, path } = stateDir();
    failStep(step);
    await expect(writeFileAtomic(path, 'new content')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"exports":{}}');
  });

  it('writes retried after every cycle on a full disk leave nothing behind, and the first write after it lands', async () => {
    const { dir, path } = stateDir();
    const lines: Array<{ msg: string; code?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as { msg: string }) });
    const persistence = createPersistence({ file: path }, logger);
    const store = new ExportStore();
    store.sync([target()]);
    failStep('writeFile');
    for (let cycle = 1; cycle <= 7; cycle++) {
      store.apply(exportKeyId(target()), success({ status: 'processing', percentage: cycle * 10 }), cycle);
      await persistence.save(store.states());
    }
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(lines.filter((l) => l.msg === 'could not write the state file').map((l) => l.code)).toEqual(Array(7).fill('ENOSPC'));
    vi.restoreAllMocks();
    await persistence.save(store.states());
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(readFileSync(path, 'utf8')).toContain('"percentage":70');
  });

  it('removes temporary files of interrupted writes at start, and only those', async () => {
    const { dir, path } = stateDir();
    for (const name of ['.state.json.0123456789ab.tmp', '.state.json.ba9876543210.tmp', '.state.json.notours.tmp', 'other.txt']) {
      writeFileSync(join(dir, name), 'x');
    }
    await createPersistence({ file: path }, pino({ level: 'silent' })).restore(new ExportStore());
    expect(readdirSync(dir).sort()).toEqual(['.state.json.notours.tmp', 'other.txt', 'state.json']);
  });

  it('a directory the exporter may not write: the write fails with EACCES and nothing appears', async () => {
    const { dir, path } = stateDir();
    chmodSync(dir, 0o555);
    try {
      if (process.getuid?.() !== 0) {
        await expect(writeFileAtomic(path, 'new')).rejects.toMatchObject({ code: 'EACCES' });
      } else {
        // root writes anywhere: the same call as an unprivileged user, in a child process on the built code.
        const module = resolve('dist/src/store/state-file.js');
        expect(existsSync(module), 'run npm run build first').toBe(true);
        const code = `import(${JSON.stringify(module)}).then((m) => m.writeFileAtomic(${JSON.stringify(path)}, 'new')).then(() => console.log('written'), (e) => console.log(e.code))`;
        const r = spawnSync(process.execPath, ['-e', code], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
        expect(r.stdout.trim()).toBe('EACCES');
      }
      expect(readdirSync(dir)).toEqual(['state.json']);
      expect(readFileSync(path, 'utf8')).toBe('{"version":1,"exports":{}}');
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
