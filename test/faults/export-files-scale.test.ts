import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportFileSet } from '../../src/config/export-files.js';

/**
 * Issue 21 B8: 10,000 files matched by export_files cost 69 % of a core at idle, every one read and hashed at each
 * 5 s change check. The check now stats every file and reads only those whose inode, size, mtime or ctime changed.
 * Counted in reads, not timed; the CPU figure is in docs/performance.md.
 */

const FILES = 1000;

function exportFiles(): { dir: string; pattern: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cde-export-files-'));
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${String(i).padStart(5, '0')}.yaml`), `- {server_id: s${i}, export_id: "${i}"}\n`);
  return { dir, pattern: join(dir, '*.yaml') };
}

describe('export_files change checks at scale', () => {
  it('reads every file once, then only the ones that changed, whichever way they changed', async () => {
    const { dir, pattern } = exportFiles();
    // The clock is 10 s ahead: no file counts as just written (see the next test for those).
    const set = new ExportFileSet(join(dir, 'config.yaml'), () => Date.now() + 10_000);
    const first = await set.fingerprint([pattern]);
    expect(set.lastFingerprintReads).toBe(FILES);
    expect(await set.fingerprint([pattern])).toBe(first);
    expect(set.lastFingerprintReads).toBe(0);

    // Rewritten in place with the same size, its mtime put back: the ctime still tells.
    const one = join(dir, 'f00007.yaml');
    const before = statSync(one);
    writeFileSync(one, `- {server_id: s8, export_id: "7"}\n`);
    utimesSync(one, before.atime, before.mtime);
    const second = await set.fingerprint([pattern]);
    expect(second).not.toBe(first);
    expect(set.lastFingerprintReads).toBe(1);

    // Replaced by a rename (a new inode), as editors and ConfigMaps do.
    writeFileSync(join(dir, '.tmp'), `- {server_id: renamed, export_id: "9"}\n`);
    renameSync(join(dir, '.tmp'), join(dir, 'f00009.yaml'));
    const third = await set.fingerprint([pattern]);
    expect(third).not.toBe(second);
    expect(set.lastFingerprintReads).toBe(1);

    // Removed, and added: nothing to read for the one, one read for the other.
    rmSync(join(dir, 'f00011.yaml'));
    const fourth = await set.fingerprint([pattern]);
    expect(fourth).not.toBe(third);
    expect(set.lastFingerprintReads).toBe(0);
    writeFileSync(join(dir, 'f99999.yaml'), `- {server_id: new, export_id: "1"}\n`);
    expect(await set.fingerprint([pattern])).not.toBe(fourth);
    expect(set.lastFingerprintReads).toBe(1);
    expect(await set.fingerprint([pattern])).toBe(await set.fingerprint([pattern]));
    expect(set.lastFingerprintReads).toBe(0);
  });

  it('reads a file written within the last 2 s at every check, so a second write in the same timestamp is seen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cde-export-files-'));
    const file = join(dir, 'one.yaml');
    writeFileSync(file, `- {server_id: a, export_id: "1"}\n`);
    const written = Math.max(statSync(file).mtimeMs, statSync(file).ctimeMs);
    let now = written + 500;
    const set = new ExportFileSet(join(dir, 'config.yaml'), () => now);
    const pattern = join(dir, '*.yaml');
    await set.fingerprint([pattern]);
    expect(set.lastFingerprintReads).toBe(1);
    now += 1000;
    await set.fingerprint([pattern]);
    expect(set.lastFingerprintReads).toBe(1);
    now += 5000;
    await set.fingerprint([pattern]);
    expect(set.lastFingerprintReads).toBe(0);
  });
});
