/** One line of the results table; `pass` undefined marks an informational row. */
export interface Row {
  readonly figure: string;
  readonly median: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly pass?: boolean;
}

const HEAD: Row = { figure: 'figure', median: 'median', baseline: 'baseline', ratio: 'ratio', target: 'target' };
const COLUMNS = ['figure', 'median', 'baseline', 'ratio', 'target'] as const;

export function formatTable(rows: readonly Row[]): string {
  const cells = [HEAD, ...rows].map((r) => [...COLUMNS.map((c) => r[c]), r === HEAD ? 'result' : verdict(r)]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

function verdict(r: Row): string {
  return r.pass === undefined ? 'info' : r.pass ? 'PASS' : 'FAIL';
}

export const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
export const us = (x: number): string => `${x.toFixed(0)} µs`;
export const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
export const times = (x: number): string => `${x.toFixed(x >= 10 ? 0 : 2)}×`;
