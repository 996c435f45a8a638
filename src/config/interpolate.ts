import { problem, type Path, type Problem } from './problems.js';
import type { Result } from '../domain/result.js';

/**
 * `${VAR}` references in string values, replaced from the environment after YAML parsing rather than in the
 * raw text: a value can then never break the YAML syntax, and every problem has a path. Keys are left alone.
 * `$$` is a literal `$`; a `$` not followed by `{` or `$` is kept as is, so passwords like `pa$word` survive.
 * Substituted text is not scanned again.
 */

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE_HELP = 'expected ${NAME} with NAME made of letters, digits and _ (write "$$" for a literal "$")';

export type Interpolated = Result<string>;

export function interpolateString(s: string, env: NodeJS.ProcessEnv): Interpolated {
  let out = '';
  const messages: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    const next = s[i + 1];
    if (c !== '$') {
      out += c;
      i += 1;
    } else if (next === '$') {
      out += '$';
      i += 2;
    } else if (next !== '{') {
      out += '$';
      i += 1;
    } else {
      const end = s.indexOf('}', i + 2);
      // Positions, not the text around them, are reported: the text may be part of a secret.
      if (end === -1) {
        messages.push(`unterminated "\${" at character ${i + 1} (write "$$" for a literal "$")`);
        break;
      }
      const name = s.slice(i + 2, end);
      if (!VAR_NAME.test(name)) {
        messages.push(`invalid variable reference at character ${i + 1}: ${REFERENCE_HELP}`);
      } else {
        const value = env[name];
        const message = `environment variable ${name} is not set`;
        if (value !== undefined) out += value;
        else if (!messages.includes(message)) messages.push(message);
      }
      i = end + 1;
    }
  }
  return messages.length === 0 ? { ok: true, value: out } : { ok: false, problems: messages };
}

export interface TreeInterpolation {
  readonly value: unknown;
  readonly problems: Problem[];
  /** Values that could not be interpolated; they keep their raw text, and later checks on them are noise. */
  readonly failed: Path[];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** Assignment would treat a `__proto__` key from the YAML as the prototype; define it as data instead. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Interpolates every string scalar of a parsed YAML tree, without changing the input. */
export function interpolateTree(tree: unknown, env: NodeJS.ProcessEnv): TreeInterpolation {
  const problems: Problem[] = [];
  const failed: Path[] = [];
  const walk = (node: unknown, path: Path): unknown => {
    if (typeof node === 'string') {
      const r = interpolateString(node, env);
      if (r.ok) return r.value;
      problems.push(...r.problems.map((m) => problem(path, m)));
      failed.push(path);
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) setOwn(out, key, walk(value, [...path, key]));
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), problems, failed };
}
