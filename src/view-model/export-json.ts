import type { ExportStatus } from '../domain/export.js';
import type { ExportState, RetireReason } from '../domain/export-state.js';

/**
 * The one mapping from ExportState to what the status page and /api/v1/exports show. Pure: the
 * caller passes the exporter's clock, so tests (and the page) agree with /metrics on every age.
 */

/** A processing export whose status and percentage have not changed for this long is shown as stuck. */
export const STUCK_AFTER_SECONDS = 30 * 60;

/**
 * What the page's badge says, worst first. The order is the sort order: trouble at the top,
 * retired exports (no longer polled, no series) at the bottom.
 */
export const CONDITIONS = ['failed', 'poll_failing', 'not_polled', 'stuck', 'unknown', 'processing', 'completed', 'retired'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** One export in /api/v1/exports. Field names are part of the documented API: add, never rename. */
export interface ExportJson {
  readonly project_id: string;
  readonly server_id: string;
  readonly export_id: string;
  readonly account: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly condition: Condition;
  readonly status: ExportStatus | null;
  readonly raw_status: string | null;
  readonly percentage: number | null;
  readonly created_at: string | null;
  readonly age_seconds: number | null;
  readonly completed_at: string | null;
  readonly last_progress_at: string | null;
  readonly last_poll_at: string | null;
  readonly last_success_at: string | null;
  readonly poll_success: boolean | null;
  readonly retired: { readonly at: string; readonly reason: RetireReason } | null;
  readonly errors: Readonly<Record<string, number>>;
  readonly last_error: {
    readonly reason: string;
    readonly message: string;
    readonly error_code: string | null;
    readonly request_id: string | null;
    readonly at: string;
  } | null;
}

/** Unix seconds (fractional allowed) to ISO 8601 UTC; null stays null so absent facts are never invented. */
function iso(seconds: number | undefined): string | null {
  return seconds === undefined ? null : new Date(seconds * 1000).toISOString();
}

/** `stuckAfterSeconds`: the demo shows stuck exports after its alert's demo-scale threshold. */
export function conditionOf(state: ExportState, nowSeconds: number, stuckAfterSeconds = STUCK_AFTER_SECONDS): Condition {
  if (state.retired) return 'retired';
  const status = state.observation?.status;
  // A failed export outranks a failing poll: the export itself is lost, the poll may recover.
  if (status === 'failed') return 'failed';
  if (state.lastPollOk === false) return 'poll_failing';
  if (status === undefined) return 'not_polled';
  if (status === 'processing' && nowSeconds - (state.lastProgressAt ?? nowSeconds) > stuckAfterSeconds) return 'stuck';
  return status;
}

export function toExportJson(state: ExportState, nowSeconds: number, stuckAfterSeconds = STUCK_AFTER_SECONDS): ExportJson {
  const { target, observation: obs, lastError } = state;
  return {
    project_id: target.projectId,
    server_id: target.serverId,
    export_id: target.exportId,
    account: target.account,
    name: target.name,
    labels: { ...target.labels },
    condition: conditionOf(state, nowSeconds, stuckAfterSeconds),
    status: obs?.status ?? null,
    raw_status: obs?.rawStatus ?? null,
    percentage: obs?.percentage ?? null,
    created_at: iso(obs?.createdAt),
    // Same value as clouddc_log_export_age_seconds: clamped at 0, millisecond precision.
    age_seconds: obs ? Math.max(0, Math.round((nowSeconds - obs.createdAt) * 1000) / 1000) : null,
    completed_at: iso(state.completedAt),
    last_progress_at: iso(state.lastProgressAt),
    last_poll_at: iso(state.lastPollAt),
    last_success_at: iso(state.lastSuccessAt),
    poll_success: state.lastPollOk ?? null,
    retired: state.retired ? { at: iso(state.retired.at)!, reason: state.retired.reason } : null,
    errors: Object.fromEntries(state.errors),
    last_error: lastError
      ? {
          reason: lastError.reason,
          message: lastError.message,
          error_code: lastError.errorCode ?? null,
          request_id: lastError.requestId ?? null,
          at: iso(lastError.at)!,
        }
      : null,
  };
}

/** Plain code-unit comparison: the order must not depend on the server's locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every export, trouble first; ties by name, then by id, so the order is stable between refreshes. */
export function exportsJson(states: Iterable<ExportState>, nowSeconds: number, stuckAfterSeconds = STUCK_AFTER_SECONDS): ExportJson[] {
  const rank = (c: Condition) => CONDITIONS.indexOf(c);
  return [...states]
    .map((s) => toExportJson(s, nowSeconds, stuckAfterSeconds))
    .sort(
      (a, b) =>
        rank(a.condition) - rank(b.condition) ||
        compare(a.name, b.name) ||
        compare(a.project_id, b.project_id) ||
        compare(a.server_id, b.server_id) ||
        compare(a.export_id, b.export_id),
    );
}

export function countByCondition(rows: readonly ExportJson[]): Record<Condition, number> {
  const counts = Object.fromEntries(CONDITIONS.map((c) => [c, 0])) as Record<Condition, number>;
  for (const row of rows) counts[row.condition]++;
  return counts;
}
