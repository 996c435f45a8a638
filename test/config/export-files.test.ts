import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportFileSet, expandPattern, globToRegExp, parseExportFilePatterns } from '../../src/config/export-files.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { ExporterConfig } from '../../src/domain/config.js';
import { yamlConfig } from '../support/yaml-config.js';

function setup(mainExports: { server: string; id: string }[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'export-files-'));
  mkdirSync(join(dir, 'exports.d'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yamlConfig('http://127.0.0.1:1', mainExports, { extra: '' }) + 'export_files: [exports.d/*.yaml]\n');
  const set = new ExportFileSet(file);
  const load = async () => {
    const loaded = await loadConfigFile(file);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    return set.load(loaded.value);
  };
  const ids = (c: ExporterConfig) => c.exports.map((e) => `${e.serverId}/${e.exportId}`);
  const write = (name: string, text: string) => writeFileSync(join(dir, 'exports.d', name), text);
  return { dir, file, set, load, ids, write };
}

describe('export_files patterns', () => {
  it('resolves patterns against the config file and allows globs only in the last component', () => {
    const r = parseExportFilePatterns(['exports.d/*.yaml', '/abs/x.yaml', 'd*/x.yaml', 3], '/etc/cfg');
    expect(r.patterns).toEqual(['/etc/cfg/exports.d/*.yaml', '/abs/x.yaml']);
    expect(r.problems.map((p) => p.path)).toEqual([
      ['export_files', 2],
      ['export_files', 3],
    ]);
  });

  it("matches like a shell: hidden entries (a ConfigMap's ..data) only when the pattern says so", () => {
    expect(globToRegExp('*.yaml').test('a.yaml')).toBe(true);
    expect(globToRegExp('*.yaml').test('..data')).toBe(false);
    expect(globToRegExp('*.yaml').test('.a.yaml.tmp')).toBe(false);
    expect(globToRegExp('*.yaml').test('.hidden.yaml')).toBe(false);
    expect(globToRegExp('.*.yaml').test('.hidden.yaml')).toBe(true);
    expect(globToRegExp('team-[ab]?.y*ml').test('team-b1.yaml')).toBe(true);
    expect(globToRegExp('team-[!ab].yaml').test('team-a.yaml')).toBe(false);
  });

  it('lists matches sorted and treats a missing directory as no match', async () => {
    const { dir, write } = setup();
    write('b.yaml', '[]');
    write('a.yaml', '[]');
    write('c.yml', '[]');
    expect(await expandPattern(join(dir, 'exports.d', '*.yaml'))).toEqual([join(dir, 'exports.d', 'a.yaml'), join(dir, 'exports.d', 'b.yaml')]);
    expect(await expandPattern(join(dir, 'nope', '*.yaml'))).toEqual([]);
  });

  it('rejects a config whose export_files is not a list of strings, path by path', async () => {
    const { file } = setup();
    writeFileSync(file, yamlConfig('http://127.0.0.1:1', []) + 'export_files: exports.d/*.yaml\n');
    const loaded = await loadConfigFile(file);
    expect(loaded.ok ? [] : loaded.problems).toEqual(['export_files: expected a list of file patterns, got a string']);
  });
});

describe('ExportFileSet', () => {
  it("adds every file's exports after the main file's, and picks up files appearing, changing and disappearing", async () => {
    const w = setup([{ server: 'm', id: '1' }]);
    w.write('a.yaml', '- {server_id: a, export_id: "1"}\n');
    let r = await w.load();
    expect(w.ids(r.config)).toEqual(['m/1', 'a/1']);
    const before = await w.set.fingerprint(r.config.exportFiles ?? []);
    w.write('b.yaml', '- {server_id: b, export_id: "1", name: bee, labels: {team: x}}\n');
    expect(await w.set.fingerprint(r.config.exportFiles ?? [])).not.toBe(before);
    r = await w.load();
    expect(w.ids(r.config)).toEqual(['m/1', 'a/1', 'b/1']);
    expect(r.config.exports[2]).toMatchObject({ name: 'bee', labels: { team: 'x' }, account: 'main' });
    w.write('a.yaml', '- {server_id: a, export_id: "2"}\n');
    r = await w.load();
    expect(w.ids(r.config)).toEqual(['m/1', 'a/2', 'b/1']);
    rmSync(join(w.dir, 'exports.d', 'b.yaml'));
    r = await w.load();
    expect(w.ids(r.config)).toEqual(['m/1', 'a/2']);
    expect(r.files.map((f) => [f.ok, f.exports])).toEqual([[true, 1]]);
  });

  it("keeps a broken file's last good exports, and only that file's, reporting path: message once", async () => {
    const w = setup();
    w.write('a.yaml', '- {server_id: a, export_id: "1"}\n');
    w.write('b.yaml', '- {server_id: b, export_id: "1"}\n- {server_id: b, export_id: "2"}\n');
    await w.load();
    w.write('b.yaml', '- {server_id: b, export_id: "3"}\n- {export_id: "4", colour: red}\n');
    w.write('a.yaml', '- {server_id: a, export_id: "9"}\n');
    const r = await w.load();
    expect(w.ids(r.config)).toEqual(['a/9', 'b/1', 'b/2']);
    const b = join(w.dir, 'exports.d', 'b.yaml');
    expect(r.files.map((f) => [f.ok, f.exports])).toEqual([
      [true, 1],
      [false, 2],
    ]);
    expect(r.newProblems).toEqual([`${b}: [1].server_id: required`, `${b}: [1].colour: unknown key`]);
    // Reported once per change, not on every load.
    expect((await w.load()).newProblems).toEqual([]);
  });

  it('contributes nothing from a file that never loaded, and says why for YAML and shape errors', async () => {
    const w = setup();
    w.write('a.yaml', '- {server_id: a\n');
    w.write('b.yaml', 'server_id: b\n');
    const r = await w.load();
    expect(r.config.exports).toEqual([]);
    expect(r.newProblems[0]).toMatch(new RegExp(`^${join(w.dir, 'exports.d', 'a.yaml')}:\\d+:\\d+: `));
    expect(r.newProblems[1]).toBe(
      `${join(w.dir, 'exports.d', 'b.yaml')}: expected a YAML list of exports (shaped like exports[] in the config), got a mapping`,
    );
  });

  it('keeps ids as written: a plain decimal is its text, anything else YAML reads as a number must be quoted', async () => {
    const w = setup();
    w.write('a.yaml', '- {server_id: s1, export_id: 0001024}\n- {server_id: 0x1F, export_id: "2"}\n');
    w.write('b.yaml', '- {server_id: 42, export_id: 12345678901234567890}\n');
    const r = await w.load();
    const a = join(w.dir, 'exports.d', 'a.yaml');
    expect(r.newProblems).toEqual([
      `${a}: [0].export_id: YAML reads 0001024 as the number 1024, not as the id written; quote it: export_id: "0001024"`,
      `${a}: [1].server_id: YAML reads 0x1F as the number 31, not as the id written; quote it: server_id: "0x1F"`,
    ]);
    expect(w.ids(r.config)).toEqual(['42/12345678901234567890']);
  });

  it('refuses ids the API gateway cannot route ("/" or a dot segment), path by path, keeping the rest', async () => {
    const w = setup();
    w.write('a.yaml', '- {server_id: "rack/7", export_id: "1"}\n- {server_id: s1, export_id: ".."}\n');
    w.write('b.yaml', '- {server_id: "s?2 #x", export_id: "a%2Fb"}\n');
    const r = await w.load();
    const a = join(w.dir, 'exports.d', 'a.yaml');
    expect(r.newProblems).toEqual([
      `${a}: [0].server_id: must not contain "/": the API gateway routes the decoded path, where "/" splits the id in two, so no request can reach it`,
      `${a}: [1].export_id: must not be "..": a dot segment is resolved away before routing, so the request would address another resource`,
    ]);
    expect(w.ids(r.config)).toEqual(['s?2 #x/a%2Fb']);
  });

  it('treats the same export listed twice as an error naming both places', async () => {
    const w = setup([{ server: 'm', id: '1' }]);
    w.write('a.yaml', '- {server_id: x, export_id: "1"}\n');
    w.write('b.yaml', '- {server_id: y, export_id: "1"}\n- {server_id: x, export_id: "1"}\n');
    w.write('c.yaml', '- {server_id: m, export_id: "1"}\n');
    const r = await w.load();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(w.dir, 'exports.d', `${n}.yaml`));
    expect(r.newProblems).toEqual([
      `${b}: [1]: the same export (0123456789abcdef0123456789abcdef/x/1) is also listed at ${a}: [0]`,
      `${c}: [0]: the same export (0123456789abcdef0123456789abcdef/m/1) is also listed at ${w.file}: exports[0]`,
    ]);
    expect(w.ids(r.config)).toEqual(['m/1', 'x/1']);
  });

  it('sees a Kubernetes ConfigMap update (the ..data symlink swap) as new content', async () => {
    const w = setup();
    const d = join(w.dir, 'exports.d');
    const version = (n: number, text: string) => {
      mkdirSync(join(d, `..2026_12_02_${n}`));
      writeFileSync(join(d, `..2026_12_02_${n}`, 'started.yaml'), text);
      return `..2026_12_02_${n}`;
    };
    symlinkSync(version(1, '- {server_id: k, export_id: "1"}\n'), join(d, '..data'));
    symlinkSync('..data/started.yaml', join(d, 'started.yaml'));
    let r = await w.load();
    expect(w.ids(r.config)).toEqual(['k/1']);
    const before = await w.set.fingerprint(r.config.exportFiles ?? []);
    symlinkSync(version(2, '- {server_id: k, export_id: "2"}\n'), join(d, '..data_tmp'));
    renameSync(join(d, '..data_tmp'), join(d, '..data'));
    expect(await w.set.fingerprint(r.config.exportFiles ?? [])).not.toBe(before);
    r = await w.load();
    expect(w.ids(r.config)).toEqual(['k/2']);
  });
});
