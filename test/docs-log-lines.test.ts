import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/**
 * Calls whose message argument reaches a logger through a variable, so the text is written at the call and
 * logged elsewhere: secret-reader's #report (logged by reportRefusals' OnRefused).
 */
const FORWARDERS = new Set(['#report']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every piece of literal text in a logger call's message argument (string literals, template parts, branches). */
function loggedTexts(): string[] {
  const texts: string[] = [];
  const literals = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) texts.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      texts.push(node.head.text);
      for (const span of node.templateSpans) texts.push(span.literal.text);
    }
    ts.forEachChild(node, literals);
  };
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = node.expression.expression.getText(source);
        const isLogger = LEVELS.has(method) && /log/i.test(receiver);
        // A logger's message is its last argument; a forwarder's is one of its arguments.
        if (isLogger && node.arguments.length > 0) literals(node.arguments[node.arguments.length - 1]!);
        if (FORWARDERS.has(method)) node.arguments.forEach(literals);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return texts;
}

/** Log lines the docs quote: "`x` log line(s)", "`x` and `y` log lines", "`x` is logged", "logged (`x`)". */
function quotedLogLines(): Array<{ page: string; line: string }> {
  const out: Array<{ page: string; line: string }> = [];
  const docs = join(ROOT, 'docs');
  for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(docs, name), 'utf8').replace(/\s+/g, ' ');
    const add = (quoted: string) => {
      for (const m of quoted.matchAll(/`([^`]+)`/g)) out.push({ page: name, line: m[1]! });
    };
    for (const m of text.matchAll(/((?:`[^`]+`(?:,? (?:and |or )?)?)+) log (?:lines?|entry|entries)\b/g)) add(m[1]!);
    for (const m of text.matchAll(/(`[^`]+`) is logged/g)) add(m[1]!);
    for (const m of text.matchAll(/logged \((`[^`]+`)\)/g)) add(m[1]!);
  }
  return out;
}

describe('log lines the docs quote', () => {
  const texts = loggedTexts();

  it('finds the logger calls of src/ (the collector still sees them)', () => {
    for (const known of ['poll failed: ', 'IAM token refresh failed', 'configuration reloaded', '; keeping the last value read']) {
      expect(texts, known).toContainEqual(expect.stringContaining(known));
    }
  });

  it('the runbooks quote log lines, and each is a message the code can emit', () => {
    const quoted = quotedLogLines();
    expect(quoted.filter((q) => q.page === 'runbooks.md').length).toBeGreaterThanOrEqual(5);
    const missing = quoted.filter((q) => !texts.some((t) => t.includes(q.line)));
    expect(missing, 'quoted in docs/ but logged nowhere in src/').toEqual([]);
  });
});
