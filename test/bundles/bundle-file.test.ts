import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitName, sanitiseFilename, writeBundle } from '../../src/bundles/bundle-file.js';
import { parseExportArgs } from '../../src/cli/export/args.js';

describe('sanitiseFilename', () => {
  it.each([
    ['attachment; filename=2102ABC-dump.tar.gz', '2102ABC-dump.tar.gz'],
    ['attachment; filename="quoted name.tar.gz"', 'quoted_name.tar.gz'],
    ['attachment; filename=../../etc/passwd', 'passwd'],
    ['attachment; filename="..\\\\..\\\\windows\\\\evil.tar.gz"', 'evil.tar.gz'],
    ["attachment; filename*=UTF-8''b%C3%BCndel%2F..%2Fx.tar.gz", 'x.tar.gz'],
    ['attachment; filename=".."', 'fallback.tar.gz'],
    ['attachment; filename="\u001b[31mred.tar.gz"', '31mred.tar.gz'],
    ['attachment', 'fallback.tar.gz'],
  ])('%s -> %s', (header, name) => {
    expect(sanitiseFilename(header, 'fallback.tar.gz')).toBe(name);
  });

  it('caps the length and keeps the extension', () => {
    const name = sanitiseFilename(`attachment; filename=${'a'.repeat(500)}.tar.gz`, 'f');
    expect(name).toHaveLength(200);
    expect(name).toBe(`${'a'.repeat(193)}.tar.gz`);
    expect(fitName(`${'b'.repeat(300)}.zip`)).toBe(`${'b'.repeat(196)}.zip`);
    expect(fitName(`${'c'.repeat(300)}`)).toBe('c'.repeat(200));
    expect(fitName('short.tar.gz')).toBe('short.tar.gz');
  });
});

describe('writeBundle', () => {
  it('removes the temporary file when the stream fails, and writes nothing under the final name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-file-'));
    const body = Readable.from(
      (async function* () {
        yield Buffer.alloc(1000);
        throw new Error('socket hang up');
      })(),
    );
    await expect(writeBundle(body, dir, 'x.tar.gz', { overwrite: false })).rejects.toThrow('socket hang up');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a short body when the length was announced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-file-'));
    await expect(writeBundle(Readable.from([Buffer.alloc(10)]), dir, 'x.tar.gz', { overwrite: false, expectedBytes: 11 })).rejects.toThrow(
      'the answer ended after 10 of 11 bytes',
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('export flags', () => {
  it.each([
    [['start'], 'export start: --server=ID is required'],
    [['download', '--server=a'], 'export download: --export-id=ID is required'],
    [['start', '--server=a', '--name=x'], '--name and --label: only apply with --track-file'],
    [['start', '--server=a', '--server=b', '--track-file=f', '--name=x'], '--name: with several --server, put {server} in the name'],
    [['start', '--server=a', '--download=d'], '--download: only applies with --wait'],
    [['start', '--server=a', '--track-file=f', '--label=1x=y'], '--label: expected name=value'],
    [['stop'], 'export: unknown command "stop"'],
    [['start', '--server=ok', '--server=rack/7'], '--server: "rack/7" must not contain "/": the API gateway routes the decoded path'],
    [['download', '--server=s1', '--export-id=..'], '--export-id: ".." must not be "..": a dot segment is resolved away'],
  ])('%j is refused', (argv, message) => {
    const r = parseExportArgs(argv);
    expect(r.ok ? '' : r.problems.join('\n')).toContain(message);
  });
});
