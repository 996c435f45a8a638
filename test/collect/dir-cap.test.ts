import { mkdtemp, readdir, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capDirectory } from '../../src/collect/dir-cap.js';

describe('capDirectory', () => {
  it('removes the oldest visible files until the rest fit, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cap-'));
    const at = Date.UTC(2026, 0, 1) / 1000;
    for (const [i, name] of ['a.tar.gz', 'b.tar.gz', 'c.tar.gz'].entries()) {
      await writeFile(join(dir, name), Buffer.alloc(400));
      await utimes(join(dir, name), at + i, at + i);
    }
    await writeFile(join(dir, '.x.tar.gz.1.deadbeef.part'), Buffer.alloc(4000));
    await mkdir(join(dir, 'sub'));
    const r = await capDirectory(dir, 1000);
    expect(r).toEqual({ removed: [join(dir, 'a.tar.gz')], bytes: 800 });
    expect((await readdir(dir)).sort()).toEqual(['.x.tar.gz.1.deadbeef.part', 'b.tar.gz', 'c.tar.gz', 'sub']);
    expect((await capDirectory(dir, 1000)).removed).toEqual([]);
    expect(await capDirectory(join(dir, 'missing'), 1)).toEqual({ removed: [], bytes: 0 });
  });
});
