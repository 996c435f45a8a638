import type { OutputFormat } from '../flags.js';
import { clean } from '../format.js';

export type StartedRow =
  | {
      readonly serverId: string;
      readonly ok: true;
      readonly exportId: string;
      readonly status: string;
      readonly percentage: number;
      readonly createdAt: number;
    }
  | { readonly serverId: string; readonly ok: false; readonly error: string; readonly maybeStarted: boolean };

/** `export start`'s answer: a table for people, or JSON (one object per server, in --server order) for scripts. */
export function formatStarted(rows: readonly StartedRow[], account: string, format: OutputFormat): string {
  if (format === 'json') {
    const json = rows.map((r) =>
      r.ok
        ? {
            server_id: r.serverId,
            account,
            export_id: r.exportId,
            status: r.status,
            percentage: r.percentage,
            created_at: new Date(r.createdAt * 1000).toISOString(),
          }
        : { server_id: r.serverId, account, export_id: null, error: r.error, maybe_started: r.maybeStarted },
    );
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const table = [['SERVER', 'EXPORT ID', 'ACCOUNT', 'STATUS', 'CREATED']];
  for (const r of rows) {
    table.push(
      r.ok
        ? [r.serverId, r.exportId, account, `${r.status} ${Math.round(r.percentage)}%`, new Date(r.createdAt * 1000).toISOString()]
        : [r.serverId, '-', account, r.maybeStarted ? 'failed (may have started)' : 'failed', '-'],
    );
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => clean(row[i] ?? '').length)));
  return (
    table
      .map((row) =>
        row
          .map((cell, i) => clean(cell).padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
