import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReadable, FILE_LIMITS, readBounded, readBoundedSync } from '../../src/files/bounded-read.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cde-bounded-'));

describe('readBounded', () => {
  it('reads a regular file, also through a link, with a signature that changes with the file', async () => {
    const d = dir();
    writeFileSync(join(d, 'a'), 'hello');
    symlinkSync(join(d, 'a'), join(d, 'link'));
    const first = await readBounded(join(d, 'link'), 'secret');
    expect(first.ok && first.data.toString()).toBe('hello');
    writeFileSync(join(d, 'b'), 'other');
    const second = await readBounded(join(d, 'b'), 'secret');
    expect(first.ok && second.ok && first.signature !== second.signature).toBe(true);
    expect(readBoundedSync(join(d, 'link'), 'tls')).toMatchObject({ ok: true });
  });

  it('refuses a FIFO at once (no writer needed), devices, directories and sockets', async () => {
    const d = dir();
    execFileSync('mkfifo', [join(d, 'fifo')]);
    symlinkSync('/dev/zero', join(d, 'zero'));
    expect(await readBounded(join(d, 'fifo'), 'config')).toEqual({ ok: false, reason: 'not a regular file (a FIFO)' });
    expect(readBoundedSync(join(d, 'fifo'), 'tls')).toEqual({ ok: false, reason: 'not a regular file (a FIFO)' });
    expect(await readBounded(join(d, 'zero'), 'secret')).toEqual({ ok: false, reason: 'not a regular file (a character device)' });
    expect(await readBounded(d, 'state')).toEqual({ ok: false, reason: 'is a directory' });
    expect(await checkReadable(join(d, 'fifo'), 'secret')).toBe('not a regular file (a FIFO)');
    expect(await readBounded(join(d, 'missing'), 'config')).toEqual({ ok: false, reason: 'no such file', code: 'ENOENT' });
  });

  it("refuses a file over its kind's limit without reading it", async () => {
    const d = dir();
    writeFileSync(join(d, 'big'), Buffer.alloc(FILE_LIMITS.secret + 1));
    const r = await readBounded(join(d, 'big'), 'secret');
    expect(r).toEqual({ ok: false, reason: 'larger than the 64 KiB allowed for a secret file (65 KiB)' });
    expect((await readBounded(join(d, 'big'), 'config')).ok).toBe(true);
  });

  it('shares one read between callers of the same file', async () => {
    const d = dir();
    writeFileSync(join(d, 'c'), 'x'.repeat(1000));
    const [a, b] = [readBounded(join(d, 'c'), 'config'), readBounded(join(d, 'c'), 'config')];
    expect(a).toBe(b);
    await a;
    expect(readBounded(join(d, 'c'), 'config')).not.toBe(a);
  });
});

describe('the config file limit', () => {
  it('fits 50,000 exports written one per line with a name and two labels', () => {
    const line = (i: number) =>
      `  - {account: main, server_id: 5f1c2d3e-4b5a-6978-8a9b-${String(i).padStart(12, '0')}, export_id: "${100000 + i}", name: bmc-export-${i}, labels: {team: storage, rack: r${i % 40}}}\n`;
    let size = 200;
    for (let i = 0; i < 50_000; i++) size += Buffer.byteLength(line(i));
    expect(size).toBeLessThan(FILE_LIMITS.config);
  });
});
