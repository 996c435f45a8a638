/**
 * logfmt for pino: pino writes each entry as one JSON line (after redaction), and this turns that line
 * into `time=… level=… msg=… key=value …`, the shape Prometheus and exporter-toolkit (promslog) log in.
 * Nested objects become dotted keys (`err.message=…`); values with spaces, quotes, `=` or control
 * characters are quoted with JSON string escapes, which logfmt parsers (go-logfmt, Loki) read back.
 */

const FIRST = ['time', 'level', 'msg'];

export function jsonLineToLogfmt(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line; // not pino's output; pass it through rather than lose it
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const pairs: string[] = [];
  for (const key of FIRST) if (key in record) pairs.push(`${key}=${formatValue(record[key])}`);
  for (const [key, value] of Object.entries(record)) {
    if (!FIRST.includes(key)) flatten(formatKey(key), value, pairs);
  }
  return `${pairs.join(' ')}\n`;
}

function flatten(key: string, value: unknown, out: string[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push(`${key}={}`);
    for (const [k, v] of entries) flatten(`${key}.${formatKey(k)}`, v, out);
    return;
  }
  out.push(`${key}=${formatValue(value)}`);
}

/** A key is a bare word: anything that would end it or start a value becomes `_`. */
function formatKey(key: string): string {
  const k = key.replace(/[\s="\u0000-\u001f\u007f]/g, '_');
  return k === '' ? '_' : k;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '""';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // Unicode letters may stay bare; only what would break the key=value grammar forces quotes.
  return text === '' || /[\s="\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text;
}
