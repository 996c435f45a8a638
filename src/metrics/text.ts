/**
 * Helpers for the Prometheus text exposition format (version 0.0.4). Hand-written because the
 * per-export families bypass prom-client for speed; see architecture.md, guideline 2.
 */

export function escapeLabelValue(value: string): string {
  // Fast path: most ids need no escaping, and this runs for every label of every export.
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * Concatenates into one flat string. V8 keeps `a + b` and template literals as a tree of pieces
 * (a rope) that every later read walks again; the per-export lines are kept for a long time and
 * concatenated on every scrape, and walking ropes of ropes made a 10,000-export scrape take
 * hundreds of milliseconds. `Array.prototype.join` copies the pieces into a single string.
 */
export function flat(pieces: readonly string[]): string {
  return pieces.join('');
}

/** Renders `{a="x",b="y"}` from ordered pairs; the empty set renders as "". */
export function renderLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  const pieces = ['{'];
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!;
    if (i > 0) pieces.push(',');
    pieces.push(name, '="', escapeLabelValue(value), '"');
  }
  pieces.push('}');
  return flat(pieces);
}

/** Adds one label to an already rendered label set. */
export function withLabel(rendered: string, name: string, value: string): string {
  const pair = [name, '="', escapeLabelValue(value), '"'];
  if (rendered === '') return flat(['{', ...pair, '}']);
  return flat([rendered.slice(0, -1), ',', ...pair, '}']);
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function familyHeader(name: string, help: string, type: 'gauge' | 'counter'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}
