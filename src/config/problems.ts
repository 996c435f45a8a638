/**
 * A config problem is a location in the YAML tree plus a message. Paths stay structured until the very end so
 * that later stages can tell which problems sit under a value that already failed (see load.ts).
 */

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Problem {
  readonly path: Path;
  readonly message: string;
}

export function problem(path: Path, message: string): Problem {
  return { path, message };
}

// Keys that read unambiguously after a dot; anything else (dots, spaces, quotes) is written as ["..."].
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** `exports[2].labels.ticket`, `accounts["eu.prod"].auth`; the empty path is the root. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (BARE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `path: message`; a problem about the whole document is reported against the file name instead. */
export function formatProblem(p: Problem, source: string): string {
  const where = p.path.length === 0 ? source : formatPath(p.path);
  // One problem per line, whatever a message happens to contain.
  return `${where}: ${p.message.replace(/\s*\n\s*/g, ' ')}`;
}

export function isUnder(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the most common typo. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

// camelCase and kebab-case spellings of a snake_case key are the same key to a human.
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** The known key the user most likely meant, or undefined when none is close enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (normalizeKey(candidate) === normalizeKey(key)) return candidate;
    const d = editDistance(key.toLowerCase(), candidate);
    // A third of the length keeps "tokne" -> "token" but not "name" -> "region".
    const limit = Math.max(1, Math.floor(candidate.length / 3));
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  return suggestion === undefined ? 'unknown key' : `unknown key (did you mean ${JSON.stringify(suggestion)}?)`;
}
