/**
 * Helpers for the Prometheus text exposition format (version 0.0.4). Hand-written because the per-export
 * families bypass prom-client: their lines are rendered when an export's state changes, not per scrape (see
 * docs/architecture.md#why-the-exposition-is-pre-rendered), which prom-client's registry cannot do.
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
 * (a rope) that every later read walks again; a rendered label set is kept in SeriesNames for the
 * export's lifetime and read again by every render of each of its families, so it is flattened
 * once here. `Array.prototype.join` copies the pieces into a single string.
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

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function familyHeader(name: string, help: string, type: 'gauge' | 'counter'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** Below 2^43 the doubles are closer than 0.001, so a count of milliseconds prints exactly. */
const EXACT_MS_LIMIT = 2 ** 43 * 1000;

/**
 * Writes `max(0, now - since)` rounded to milliseconds into `buf` at `at`, exactly as
 * formatValue() would print it, and returns the new end. Ages are formatted for every export on
 * every scrape; doing it in integer arithmetic skips a string per line.
 */
export function writeSecondsSince(buf: Buffer, at: number, now: number, since: number): number {
  const ms = Math.round(Math.max(0, now - since) * 1000);
  if (!(ms < EXACT_MS_LIMIT)) {
    const text = formatValue(ms / 1000);
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    return at;
  }
  const whole = Math.floor(ms / 1000);
  at = writeDigits(buf, at, whole);
  let frac = ms - whole * 1000;
  if (frac === 0) return at;
  buf[at++] = 0x2e;
  for (let unit = 100; frac > 0; unit /= 10) {
    const d = Math.floor(frac / unit);
    buf[at++] = 0x30 + d;
    frac -= d * unit;
  }
  return at;
}

function writeDigits(buf: Buffer, at: number, n: number): number {
  let width = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) width++;
  for (let p = at + width - 1; p >= at; p--) {
    const q = Math.floor(n / 10);
    buf[p] = 0x30 + (n - q * 10);
    n = q;
  }
  return at + width;
}
