import { LineCounter, isAlias, isCollection, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Pair } from 'yaml';
import { isPlainObject, setOwn } from './interpolate.js';
import { problem, type Path, type PathSegment, type Problem } from './problems.js';
import type { Result } from '../domain/result.js';

/**
 * YAML text to a plain tree, or syntax problems as `file:line:col: message`. The yaml library's messages can
 * quote the offending source text, which may be a secret, so quoted source is cut from them.
 */

/** The plain tree, and the ids written in a way that would change on the way to a string (config.ts reports them). */
export type YamlResult = Result<{ readonly tree: unknown; readonly idProblems: readonly Problem[] }>;

// Messages of the yaml library that end in raw source text, kept only up to the text.
const QUOTING_MESSAGES = [
  /^(.*?): ".*"$/s,
  /^(Block scalar header includes extra characters).*$/s,
  /^(Not a YAML token).*$/s,
  /^(Invalid escape sequence).*$/s,
];

const MAX_SYNTAX_PROBLEMS = 5;

function sanitize(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'the file must hold a single YAML document (found a second "---")';
  for (const pattern of QUOTING_MESSAGES) {
    const m = pattern.exec(message);
    if (m?.[1] !== undefined) return m[1];
  }
  return message;
}

function at(source: string, lines: LineCounter, offset: number, message: string): string {
  const { line, col } = lines.linePos(offset);
  return `${source}:${line}:${col}: ${message}`;
}

/** Aliases to missing anchors and keys that are lists or mappings cannot become a plain object tree. */
function structuralProblems(doc: Document, source: string, lines: LineCounter): string[] {
  const problems: string[] = [];
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        problems.push(at(source, lines, node.range?.[0] ?? 0, `unknown anchor in alias *${node.source}`));
      }
    },
    Pair(_, pair) {
      const key = pair.key;
      if (isCollection(key) || isAlias(key)) {
        problems.push(at(source, lines, key.range?.[0] ?? 0, 'mapping keys must be plain text'));
      }
    },
  });
  return problems;
}

const ID_KEYS = new Set(['server_id', 'export_id', 'project_id']);
const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The path of a pair from the document's root, as config problems name it: `exports[3].export_id`. */
function pathOf(ancestors: readonly unknown[], key: string): Path {
  const path: PathSegment[] = [];
  ancestors.forEach((node, i) => {
    if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
    else if (isSeq(node)) path.push(node.items.indexOf(ancestors[i + 1]));
  });
  return [...path, key];
}

/**
 * Ids as written. YAML reads an unquoted `export_id: 0x1F` as the number 31, `1e3` as 1000 and `0001024` as
 * 1024, and the exporter would then poll an id nobody wrote. Only the source text can tell, so every id
 * (server_id, export_id, project_id) that YAML took for a number becomes the text as written, and one whose text
 * is not a plain decimal integer is a problem asking to quote it.
 */
function idsAsWritten(doc: Document): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Pair(_, pair: Pair, ancestors) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const value = pair.value;
      if (key === undefined || !ID_KEYS.has(key) || !isScalar(value)) return;
      if (typeof value.value !== 'number' && typeof value.value !== 'bigint') return;
      const text = value.source ?? String(value.value);
      if (!PLAIN_DECIMAL.test(text)) {
        const read = String(value.value) === text ? 'as a number' : `as the number ${String(value.value)}`;
        problems.push(problem(pathOf(ancestors, key), `YAML reads ${text} ${read}, not as the id written; quote it: ${key}: "${text}"`));
      }
      value.value = text;
    },
  });
  return problems;
}

/** `key:` with no value means the same as leaving the key out, so that optional sections can be emptied. */
function dropNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropNulls);
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (value !== null && value !== undefined) setOwn(out, key, dropNulls(value));
  }
  return out;
}

export function parseYaml(text: string, source: string): YamlResult {
  const lines = new LineCounter();
  // logLevel "error" keeps the library from printing warnings to stderr; they are reported below instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' });
  const syntax = [...doc.errors, ...doc.warnings].map((e) => at(source, lines, e.pos[0], sanitize(e.code, e.message)));
  if (syntax.length > MAX_SYNTAX_PROBLEMS) {
    // One syntax error usually derails the parser for the rest of the file; the tail is noise.
    const more = syntax.length - MAX_SYNTAX_PROBLEMS;
    const shown = syntax.slice(0, MAX_SYNTAX_PROBLEMS);
    return { ok: false, problems: [...shown, `${source}: ${more} more YAML syntax errors follow`] };
  }
  if (syntax.length > 0) return { ok: false, problems: syntax };
  if (doc.contents === null) {
    return { ok: false, problems: [`${source}: the file is empty; it needs at least an "accounts" section`] };
  }
  const structural = structuralProblems(doc, source, lines);
  if (structural.length > 0) return { ok: false, problems: structural };
  const idProblems = idsAsWritten(doc);
  try {
    return { ok: true, value: { tree: dropNulls(doc.toJS({ maxAliasCount: 100 })), idProblems } };
  } catch (e) {
    // Only the alias-count guard is expected here; its message names no source text.
    return { ok: false, problems: [`${source}: ${e instanceof Error ? e.message : 'cannot read the YAML document'}`] };
  }
}
