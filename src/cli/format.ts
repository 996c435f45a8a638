import { formatDuration } from '../view-model/durations.js';
import type { Condition, ExportJson } from '../view-model/export-json.js';

/**
 * What --once and --wait print, as pure functions of the rows /api/v1/exports serves (src/http/export-json.ts),
 * so the table, the progress lines and the JSON can never disagree with the status page or with each other.
 */

const CONDITION_TEXT: Readonly<Record<Condition, string>> = {
  failed: 'failed',
  poll_failing: 'poll failing',
  not_polled: 'not polled',
  stuck: 'stuck',
  unknown: 'unknown',
  processing: 'processing',
  completed: 'completed',
  retired: 'retired',
};

// C0 and C1 controls (ESC starts terminal escape sequences): API error messages are untrusted text.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Untrusted text made safe for a terminal: control characters become spaces, runs of space collapse. */
export function clean(s: string): string {
  return s.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** `nightly (srv-1/42)`, or `srv-1/42` for an export without a name. */
export function exportLabel(row: ExportJson): string {
  const id = `${row.server_id}/${row.export_id}`;
  return clean(row.name === '' ? id : `${row.name} (${id})`);
}

/** The condition as words; an unrecognised API status is shown as the API spelled it. */
export function statusText(row: ExportJson): string {
  const text = CONDITION_TEXT[row.condition];
  if (row.condition === 'unknown' && row.raw_status !== null) return `unknown (${clean(row.raw_status)})`;
  if (row.condition === 'retired' && row.retired) return `retired (${row.retired.reason.replace(/_/g, ' ')})`;
  return text;
}

/** The last failed poll's message, led by its reason unless it names it already; undefined when none failed. */
export function errorText(row: ExportJson): string | undefined {
  const err = row.last_error;
  if (!err) return undefined;
  const code = err.error_code !== null && !err.message.includes(err.error_code) ? ` ${err.error_code}` : '';
  return clean(err.message.includes(err.reason) && code === '' ? err.message : `${err.reason}${code}: ${err.message}`);
}

function percentText(row: ExportJson): string {
  return row.percentage === null ? '-' : `${Math.round(row.percentage * 10) / 10}%`;
}

const HEADER = ['NAME', 'SERVER', 'EXPORT ID', 'ACCOUNT', 'STATUS', 'PROGRESS', 'AGE', 'LAST ERROR'] as const;

function cells(row: ExportJson): string[] {
  return [
    clean(row.name) || '-',
    clean(row.server_id),
    clean(row.export_id),
    clean(row.account),
    statusText(row),
    percentText(row),
    row.age_seconds === null ? '-' : formatDuration(row.age_seconds),
    errorText(row) ?? '-',
  ];
}

/** Code points, not UTF-16 units, so that a name with an emoji does not shift the columns by one. */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

/** The status page's columns as an aligned text table, one export per line, trouble first (the rows' order). */
export function formatTable(rows: readonly ExportJson[]): string {
  const table = [[...HEADER], ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => width(r[i] ?? ''))));
  return (
    table
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Exactly the body of GET /api/v1/exports. */
export function formatJson(rows: readonly ExportJson[], nowSeconds: number): string {
  return JSON.stringify({ now: new Date(nowSeconds * 1000).toISOString(), exports: rows }, null, 2) + '\n';
}

/** `[██████░░░░░░░░░░░░░░]`; an export without a percentage yet has an empty bar. */
export function progressBar(percentage: number | null, cellsWide = 20): string {
  const p = Math.min(100, Math.max(0, percentage ?? 0));
  const full = Math.round((p / 100) * cellsWide);
  return `[${'█'.repeat(full)}${'░'.repeat(cellsWide - full)}]`;
}

/** Cuts a line to `columns` code points (with "…"), so that a redraw never wraps and loses count of its lines. */
export function fit(line: string, columns: number | undefined): string {
  if (columns === undefined || columns <= 0) return line;
  const chars = [...line];
  return chars.length <= columns ? line : `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}

export interface ProgressLineOptions {
  /** Pad labels to this width so that the bars line up (TTY only). */
  readonly labelWidth?: number;
  /** Terminal width; lines are cut to it. */
  readonly columns?: number;
}

/** One export's line on a terminal: label, bar, percentage, status, age, and the error while polls fail. */
export function formatProgressLine(row: ExportJson, opts: ProgressLineOptions = {}): string {
  const pct = row.percentage === null ? '-' : `${Math.floor(row.percentage)}%`;
  let line = `${pad(exportLabel(row), opts.labelWidth ?? 0)}  ${progressBar(row.percentage)} ${pct.padStart(4)}  ${statusText(row)}`;
  if (row.age_seconds !== null) line += `  age ${formatDuration(row.age_seconds)}`;
  const err = errorText(row);
  if (row.condition === 'poll_failing' && err !== undefined) line += `  ${err}`;
  return fit(line, opts.columns);
}

/** One export's line when output is not a terminal: no bar, no age, nothing that changes by itself. */
export function formatPlainLine(row: ExportJson): string {
  let line = `${exportLabel(row)}: ${statusText(row)}`;
  if (row.percentage !== null) line += ` ${percentText(row)}`;
  const err = errorText(row);
  if (row.condition === 'poll_failing' && err !== undefined) line += ` (${err})`;
  return line;
}

/** A stable identity for an export across renders. */
export function rowId(row: ExportJson): string {
  return JSON.stringify([row.project_id, row.server_id, row.export_id]);
}
