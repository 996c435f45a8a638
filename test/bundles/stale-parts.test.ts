import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partName, removeStaleParts, STALE_AFTER_MS } from '../../src/bundles/stale-parts.js';

describe('removeStaleParts', () => {
  it('removes only our own part files whose writer is gone or that have not been written to for an hour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stale-parts-'));
    const now = Date.now();
    const make = (name: string, ageMs = 0): string => {
      writeFileSync(join(dir, name), 'x');
      const t = (now - ageMs) / 1000;
      utimesSync(join(dir, name), t, t);
      return name;
    };
    const dead = make(partName('a.tar.gz', 111, 'deadbeef'));
    const live = make(partName('b.tar.gz', 222, '0badf00d'));
    const liveButOld = make(partName('c.tar.gz', 222, '12345678'), STALE_AFTER_MS + 1000);
    const oldStyleFresh = make('.d.tar.gz.abcdef01.part');
    const oldStyleOld = make('.e.tar.gz.abcdef02.part', STALE_AFTER_MS + 1000);
    const notOurs = [make('.f.tar.gz.part', STALE_AFTER_MS + 1000), make('g.tar.gz.111.deadbeef.part'), make('.h.111.DEADBEEF.part')];
    mkdirSync(join(dir, '.i.tar.gz.111.cafebabe.part'));
    symlinkSync('/etc/hostname', join(dir, '.j.tar.gz.111.cafebabe.part'));
    const removed = await removeStaleParts(dir, { now, alive: (pid) => pid === 222 });
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([dead, liveButOld, oldStyleOld].sort());
    expect(readdirSync(dir).sort()).toEqual([live, oldStyleFresh, ...notOurs, '.i.tar.gz.111.cafebabe.part', '.j.tar.gz.111.cafebabe.part'].sort());
  });

  it('says nothing about a directory it cannot read', async () => {
    expect(await removeStaleParts('/nonexistent/dir')).toEqual([]);
  });
});
