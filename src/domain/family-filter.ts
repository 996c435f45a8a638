import type { Result } from './result.js';

/**
 * `--metric-allowlist` / `--metric-denylist`, as kube-state-metrics has them: comma-separated regular expressions
 * over metric family names, each anchored at both ends, the two lists mutually exclusive. A family left out is
 * never rendered nor collected, so it costs nothing at scrape time.
 */
export interface FamilyFilter {
  readonly kind: 'allow' | 'deny';
  /** As given, for the start-up log. */
  readonly patterns: readonly string[];
  readonly includes: (family: string) => boolean;
}

/** The filter, or undefined when neither list was given (every family is served). */
export type FamilyFilterResult = Result<FamilyFilter | undefined>;

function compile(flag: string, list: string): Result<{ patterns: string[]; regexes: RegExp[] }> {
  const patterns = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (patterns.length === 0) return { ok: false, problems: [`--${flag}: expected comma-separated regular expressions, got an empty list`] };
  const regexes: RegExp[] = [];
  for (const p of patterns) {
    try {
      // Anchored as a whole: "clouddc_server_.*" must not also match "x_clouddc_server_y".
      regexes.push(new RegExp(`^(?:${p})$`, 'u'));
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : 'invalid';
      return { ok: false, problems: [`--${flag}: "${p}" is not a valid regular expression (${why})`] };
    }
  }
  return { ok: true, value: { patterns, regexes } };
}

export function familyFilter(allowlist: string | undefined, denylist: string | undefined): FamilyFilterResult {
  if (allowlist !== undefined && denylist !== undefined) {
    return { ok: false, problems: ['--metric-allowlist and --metric-denylist are mutually exclusive: give one of them'] };
  }
  const list = allowlist ?? denylist;
  if (list === undefined) return { ok: true, value: undefined };
  const kind = allowlist !== undefined ? 'allow' : 'deny';
  const compiled = compile(kind === 'allow' ? 'metric-allowlist' : 'metric-denylist', list);
  if (!compiled.ok) return compiled;
  const { patterns, regexes } = compiled.value;
  const matches = (name: string): boolean => regexes.some((r) => r.test(name));
  return { ok: true, value: { kind, patterns, includes: kind === 'allow' ? matches : (name) => !matches(name) } };
}
