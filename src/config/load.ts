import { dirname, resolve } from 'node:path';
import type { ExporterConfig } from '../domain/config.js';
import { scopeToAccount } from './account-scope.js';
import { buildConfig, type Analysis } from './build.js';
import { checkReadable, readBounded, readBoundedSync } from '../files/bounded-read.js';
import type { ReadConfigFile } from './auth-method.js';
import { interpolateTree } from './interpolate.js';
import { formatProblem, isUnder, problem, type Path, type Problem } from './problems.js';
import { parseYaml } from './yaml.js';
import type { Result } from '../domain/result.js';

export type ConfigResult = Result<ExporterConfig>;

export interface ParseOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Directory that relative *_file paths are resolved against: the config file's own. */
  readonly baseDir: string;
  /** Name used for problems about the file as a whole and for YAML syntax errors. */
  readonly source?: string;
  /** Reads the profile file (auth.credentials_file, the SDKs' default one); without it parseConfig reads none. */
  readonly readFile?: ReadConfigFile;
}

interface TextAnalysis {
  readonly source: string;
  readonly yamlProblems: string[];
  readonly interpolationProblems: Problem[];
  /** Ids YAML would have read as numbers other than the text written (yaml.ts). */
  readonly idProblems: readonly Problem[];
  readonly analysis?: Analysis;
  /** Values whose ${VAR} failed; anything later reported at or under them follows from that one problem. */
  readonly failed: Path[];
}

function analyzeText(text: string, opts: ParseOptions, scope?: (tree: unknown) => unknown): TextAnalysis {
  const source = opts.source ?? 'config.yaml';
  const yaml = parseYaml(text, source);
  if (!yaml.ok) return { source, yamlProblems: yaml.problems, interpolationProblems: [], idProblems: [], failed: [] };
  const tree = scope === undefined ? yaml.value.tree : scope(yaml.value.tree);
  const interpolated = interpolateTree(tree, opts.env);
  const analysis = buildConfig(interpolated.value, { env: opts.env, baseDir: opts.baseDir, ...(opts.readFile && { readFile: opts.readFile }) });
  return {
    source,
    yamlProblems: [],
    interpolationProblems: interpolated.problems,
    // A scope leaves out other accounts and the exports: their ids are not its problems.
    idProblems: tree === yaml.value.tree ? yaml.value.idProblems : yaml.value.idProblems.filter((p) => presentAt(tree, p.path)),
    analysis,
    failed: interpolated.failed,
  };
}

function presentAt(tree: unknown, path: Path): boolean {
  let node = tree;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return true;
}

function finish(t: TextAnalysis, later: readonly Problem[]): ConfigResult {
  if (t.yamlProblems.length > 0) return { ok: false, problems: t.yamlProblems };
  const consequential = (p: Problem) => t.failed.some((f) => isUnder(p.path, f));
  const problems = [...t.interpolationProblems, ...t.idProblems, ...later.filter((p) => !consequential(p))];
  if (problems.length === 0 && t.analysis?.config) return { ok: true, value: t.analysis.config };
  return { ok: false, problems: problems.map((p) => formatProblem(p, t.source)) };
}

const readProfile: ReadConfigFile = (path) => readBoundedSync(path, 'secret');

/** YAML text to the model, or every problem found. Pure: reads neither files nor process.env. */
export function parseConfig(text: string, opts: ParseOptions): ConfigResult {
  const t = analyzeText(text, opts);
  return finish(t, t.analysis?.problems ?? []);
}

/** Reads and parses a config file, and also checks that every secret file it names can be read now. */
export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigResult> {
  const read = await readBounded(path, 'config');
  if (!read.ok) return { ok: false, problems: [`${path}: cannot read: ${read.reason}`] };
  const t = analyzeText(read.data.toString('utf8'), { env, baseDir: dirname(resolve(path)), source: path, readFile: readProfile });
  return finishWithFiles(t);
}

export type AccountConfigResult = ConfigResult | { ok: false; problems: []; account: string };

/**
 * For the `export` subcommands: the config with only account `name` (or the only one) and no exports, resolved and
 * checked as loadConfigFile would the whole file. `account` says why the account cannot be chosen.
 */
export async function loadAccountConfigFile(path: string, name: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AccountConfigResult> {
  const read = await readBounded(path, 'config');
  if (!read.ok) return { ok: false, problems: [`${path}: cannot read: ${read.reason}`] };
  let refused: string | undefined;
  const t = analyzeText(read.data.toString('utf8'), { env, baseDir: dirname(resolve(path)), source: path, readFile: readProfile }, (tree) => {
    const scoped = scopeToAccount(tree, name);
    if (scoped.ok) return scoped.value;
    refused = scoped.problems.join('; ');
    return tree;
  });
  if (refused !== undefined) return { ok: false, problems: [], account: refused };
  return finishWithFiles(t);
}

/** The checks that need the file system: every secret file the config names can be read now. */
async function finishWithFiles(t: TextAnalysis): Promise<ConfigResult> {
  const fileProblems: Problem[] = [];
  for (const ref of t.analysis?.files ?? []) {
    const reason = await checkReadable(ref.file, 'secret');
    if (reason !== undefined) fileProblems.push(problem(ref.path, `cannot read ${ref.file}: ${reason}`));
  }
  return finish(t, [...(t.analysis?.problems ?? []), ...fileProblems]);
}

/** One `path: message` per line, for a log line or stderr. */
export function formatProblems(problems: readonly string[]): string {
  return problems.join('\n');
}
