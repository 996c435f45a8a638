import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ExporterConfig } from '../domain/config.js';
import { exportKeyId, type ExportTarget } from '../domain/export.js';
import { readBounded } from '../files/bounded-read.js';
import { buildExports } from './exports.js';
import { describeValue } from './issues.js';
import { FileFingerprints } from './file-fingerprints.js';
import { formatPath, problem, type Path, type Problem } from './problems.js';
import { parseYaml } from './yaml.js';
import type { ExportFileStatus } from '../domain/export-file.js';
import type { Result } from '../domain/result.js';

/**
 * `export_files`: more exports from YAML lists in other files, the way Prometheus reads file_sd_configs. Each load
 * re-reads every matching file; a file that fails keeps contributing what it last held when it was valid (nothing,
 * if it never was), so one bad write takes no other file's exports, nor its own, off the dashboard.
 */

/** Glob characters are allowed in a pattern's last path component only, as in file_sd_configs. */
const GLOB = /[*?[]/;

export function parseExportFilePatterns(raw: unknown, baseDir: string): { patterns: string[]; problems: Problem[] } {
  if (raw === undefined || raw === null) return { patterns: [], problems: [] };
  if (!Array.isArray(raw)) return { patterns: [], problems: [problem(['export_files'], `expected a list of file patterns, got ${describeValue(raw)}`)] };
  const patterns: string[] = [];
  const problems: Problem[] = [];
  raw.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      problems.push(problem(['export_files', i], `expected a file path or pattern such as exports.d/*.yaml, got ${describeValue(item)}`));
    } else if (GLOB.test(dirname(item))) {
      problems.push(problem(['export_files', i], 'patterns are only allowed in the last path component (e.g. exports.d/*.yaml)'));
    } else {
      patterns.push(isAbsolute(item) ? item : resolve(baseDir, item));
    }
  });
  return { patterns, problems };
}

/** `*`, `?` and `[...]` over one file name; a leading dot must be matched explicitly, as in a shell. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${pattern.startsWith('.') ? '' : '(?!\\.)'}${out}$`);
}

/** The files a pattern matches now, sorted; a missing directory matches nothing. */
export async function expandPattern(pattern: string): Promise<string[]> {
  const name = basename(pattern);
  if (!GLOB.test(name)) return [pattern];
  const dir = dirname(pattern);
  const re = globToRegExp(name);
  try {
    return (await readdir(dir))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export interface ExportFilesResult {
  readonly config: ExporterConfig;
  readonly files: readonly ExportFileStatus[];
  /** Problems not reported by the previous load, to log. */
  readonly newProblems: readonly string[];
}

type Parsed = Result<ExportTarget[]>;

function parseFile(text: string, path: string, config: ExporterConfig): Parsed {
  const yaml = parseYaml(text, path);
  if (!yaml.ok) return { ok: false, problems: yaml.problems };
  const tree = yaml.value.tree ?? [];
  if (!Array.isArray(tree))
    return { ok: false, problems: [`${path}: expected a YAML list of exports (shaped like exports[] in the config), got ${describeValue(tree)}`] };
  const names = [...config.accounts.keys()];
  const built = buildExports(tree, names, config.accounts);
  // buildExports speaks of exports[i]; in this file the list is the whole document.
  const where = (p: Problem): string =>
    `${path}: ${formatPath(p.path.slice(1)) || '(file)'}: ${p.message.replace(/exports\[(\d+)\]/g, '[$1]').replace(/\s*\n\s*/g, ' ')}`;
  // The ids' paths start at this file's list; where() expects them under exports[] like buildExports' own.
  const problems = [...yaml.value.idProblems.map((p) => ({ ...p, path: ['exports', ...p.path] })), ...built.problems];
  return problems.length > 0 ? { ok: false, problems: problems.map(where) } : { ok: true, value: built.exports };
}

export class ExportFileSet {
  readonly #configFile: string;
  /** Last valid content per file; a file that disappears is forgotten. */
  readonly #lastGood = new Map<string, ExportTarget[]>();
  #reported = new Map<string, string>();
  #status: ExportFileStatus[] = [];
  readonly #fingerprints: FileFingerprints;

  constructor(configFile: string, now?: () => number) {
    this.#configFile = configFile;
    this.#fingerprints = new FileFingerprints(now);
  }

  /** Files the last fingerprint() read (tests, the benchmark). */
  get lastFingerprintReads(): number {
    return this.#fingerprints.lastReads;
  }

  /** Status of every matched file after the last load, in load order. */
  get status(): readonly ExportFileStatus[] {
    return this.#status;
  }

  /**
   * What changes when any matched file appears, changes or disappears: cheap enough to check every few seconds
   * (a stat per file; only changed files are read, file-fingerprints.ts).
   */
  fingerprint(patterns: readonly string[]): Promise<string> {
    return this.#paths(patterns).then((paths) => this.#fingerprints.fingerprint(paths));
  }

  async #paths(patterns: readonly string[]): Promise<string[]> {
    const seen = new Set<string>();
    for (const p of patterns) for (const f of await expandPattern(p)) seen.add(f);
    return [...seen];
  }

  /** The config with every export file's exports appended to its own. */
  async load(config: ExporterConfig): Promise<ExportFilesResult> {
    const patterns = config.exportFiles ?? [];
    const places = new Map<string, string>();
    config.exports.forEach((e, i) => places.set(exportKeyId(e), `${this.#configFile}: ${formatPath(['exports', i])}`));
    const exports = [...config.exports];
    const status: ExportFileStatus[] = [];
    const paths = await this.#paths(patterns);
    for (const path of paths) {
      let parsed: Parsed;
      const read = await readBounded(path, 'config');
      parsed = read.ok ? parseFile(read.data.toString('utf8'), path, config) : { ok: false, problems: [`${path}: cannot read: ${read.reason}`] };
      if (parsed.ok) {
        const clashes = duplicates(parsed.value, path, places);
        if (clashes.length > 0) parsed = { ok: false, problems: clashes };
      }
      let used: ExportTarget[] = [];
      if (parsed.ok) {
        used = parsed.value;
        this.#lastGood.set(path, used);
      } else {
        const good = this.#lastGood.get(path) ?? [];
        // The old content is kept only while it clashes with nothing that came before it.
        used = duplicates(good, path, places).length === 0 ? good : [];
      }
      used.forEach((t, i) => places.set(exportKeyId(t), `${path}: ${formatPath([i])}`));
      exports.push(...used);
      status.push({ path, ok: parsed.ok, problems: parsed.ok ? [] : parsed.problems, exports: used.length });
    }
    // A Set: with 10,000 files, paths.includes() per file was 10^8 comparisons per load.
    const matched = new Set(paths);
    for (const path of [...this.#lastGood.keys()]) if (!matched.has(path)) this.#lastGood.delete(path);
    const newProblems: string[] = [];
    const reported = new Map<string, string>();
    for (const s of status) {
      const text = s.problems.join('\n');
      reported.set(s.path, text);
      if (text !== '' && this.#reported.get(s.path) !== text) newProblems.push(...s.problems);
    }
    this.#reported = reported;
    this.#status = status;
    return { config: { ...config, exports }, files: status, newProblems };
  }
}

function duplicates(targets: readonly ExportTarget[], path: string, places: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  targets.forEach((t, i) => {
    const other = places.get(exportKeyId(t));
    if (other !== undefined) out.push(`${path}: ${formatPath([i] as Path)}: the same export (${exportKeyId(t)}) is also listed at ${other}`);
  });
  return out;
}
