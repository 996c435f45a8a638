import { EXPORT_STATUSES, type ExportTarget } from '../domain/export.js';
import type { ExportState } from '../domain/export-state.js';
import { formatValue, renderLabels } from './text.js';
import type { SeriesNames } from './series-names.js';

/**
 * The per-export metric families as data (kube-state-metrics style). Each row turns an export's
 * state into its lines of that family; nothing here touches a registry, so a test can call any
 * row directly. Families whose value depends on the scrape time (ages) render a line prefix and
 * an instant; the exposition appends the seconds from that instant to the scrape.
 *
 * A changed state re-renders every row of its export; the rebuild keeps a column's very Buffer when
 * its bytes come out the same (rendered-blocks.ts), which is what a per-row "unchanged" check used to
 * save, without its risk of a stale line (docs/performance.md#which-families-a-poll-re-renders).
 */
export interface StaticFamily {
  readonly kind: 'static';
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  render(state: ExportState, series: SeriesNames): string;
}

export interface ScrapeTimeFamily {
  readonly kind: 'scrape-time';
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  /** The series name with labels and a trailing space, or undefined when the series is absent. */
  prefix(state: ExportState, series: SeriesNames): string | undefined;
  /** Unix seconds the value counts from (called only when prefix() is defined); the value is never negative. */
  since(state: ExportState): number;
}

export type ExportFamily = StaticFamily | ScrapeTimeFamily;

const POLLED = 'Polled in the background from ShowLogsExportStatus; not fetched at scrape time.';

/** `project_id`, `server_id`, `export_id`, then the export's own labels sorted by name. */
export function baseLabels(target: ExportTarget): string {
  const own = Object.keys(target.labels)
    .sort()
    .map((k) => [k, target.labels[k]!] as const);
  return renderLabels([['project_id', target.projectId], ['server_id', target.serverId], ['export_id', target.exportId], ...own]);
}

function line(series: string, value: number): string {
  return `${series} ${formatValue(value)}\n`;
}

function gauge(name: string, help: string, pick: (s: ExportState) => number | undefined): StaticFamily {
  return {
    kind: 'static',
    name,
    help,
    type: 'gauge',
    render: (s, series) => {
      const v = pick(s);
      return v === undefined ? '' : line(series.of(name), v);
    },
  };
}

export const EXPORT_FAMILIES: readonly ExportFamily[] = [
  {
    kind: 'static',
    name: 'clouddc_log_export_info',
    help: `Tracked BMC log export; always 1. Carries the alias and account. ${POLLED}`,
    type: 'gauge',
    render: (s, series) => {
      const labels: Array<readonly [string, string]> = [
        ['name', s.target.name],
        ['account', s.target.account],
      ];
      // Only on exports the exporter started: every other info series stays exactly as before.
      if (s.target.origin !== undefined) labels.push(['origin', 'auto'], ['trigger', s.target.origin.trigger]);
      return line(series.with('clouddc_log_export_info', labels), 1);
    },
  },
  {
    kind: 'static',
    name: 'clouddc_log_export_status',
    help: `Export status as a state set: exactly one of processing, completed, failed, unknown is 1. Absent until the first successful poll. ${POLLED}`,
    type: 'gauge',
    render: (s, series) => {
      const current = s.observation?.status;
      if (current === undefined) return '';
      let out = '';
      for (const status of EXPORT_STATUSES) {
        out += line(series.with('clouddc_log_export_status', [['status', status]]), status === current ? 1 : 0);
      }
      return out;
    },
  },
  gauge('clouddc_log_export_percentage', `Export progress in percent (0-100) as reported by the API. ${POLLED}`, (s) => s.observation?.percentage),
  {
    kind: 'scrape-time',
    name: 'clouddc_log_export_age_seconds',
    help: `Seconds from the export's created_at to the scrape. ${POLLED}`,
    type: 'gauge',
    prefix: (s, series) => (s.observation ? `${series.of('clouddc_log_export_age_seconds')} ` : undefined),
    since: (s) => s.observation!.createdAt,
  },
  gauge('clouddc_log_export_created_timestamp_seconds', `Unix time of the export's created_at. ${POLLED}`, (s) => s.observation?.createdAt),
  gauge(
    'clouddc_log_export_completed_timestamp_seconds',
    `Unix time of the first poll that saw the export completed (accurate to one poll interval). ${POLLED}`,
    (s) => s.completedAt,
  ),
  gauge(
    'clouddc_log_export_last_progress_timestamp_seconds',
    `Unix time when status or percentage last changed, as seen by this exporter. ${POLLED}`,
    (s) => s.lastProgressAt,
  ),
  gauge('clouddc_log_export_poll_success', `1 if the last poll of this export succeeded, else 0. ${POLLED}`, (s) => (s.lastPollOk ? 1 : 0)),
  gauge('clouddc_log_export_last_poll_success_timestamp_seconds', `Unix time of the last successful poll of this export. ${POLLED}`, (s) => s.lastSuccessAt),
  {
    kind: 'static',
    name: 'clouddc_log_export_api_errors_total',
    help: `Failed polls of this export by reason: HTTP status code, timeout, network or invalid_response. ${POLLED}`,
    type: 'counter',
    render: (s, series) => {
      let out = '';
      for (const code of [...s.errors.keys()].sort()) {
        out += line(series.with('clouddc_log_export_api_errors_total', [['code', code]]), s.errors.get(code)!);
      }
      return out;
    },
  },
];
