/** The four states an export can be in once a poll has succeeded. */
export const EXPORT_STATUSES = ['processing', 'completed', 'failed', 'unknown'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** What identifies one export at the API: the three path parameters of ShowLogsExportStatus. */
export interface ExportKey {
  readonly projectId: string;
  readonly serverId: string;
  readonly exportId: string;
}

/** One tracked export as the config describes it, after defaults are applied. */
export interface ExportTarget extends ExportKey {
  readonly account: string;
  /** Human alias; empty string when the config gives none (kube-state-metrics keeps optional labels as ""). */
  readonly name: string;
  /** Extra labels from the config, already validated as Prometheus label names. */
  readonly labels: Readonly<Record<string, string>>;
  /** Set when the exporter started the export itself (`auto_collect`): what triggered it, e.g. `health_state=Critical`. */
  readonly origin?: { readonly trigger: string };
}

/** Stable id used as the key of every per-export map. The separator cannot occur in a URL path segment unencoded. */
export function exportKeyId(key: ExportKey): string {
  return `${key.projectId}/${key.serverId}/${key.exportId}`;
}

/** A successful ShowLogsExportStatus answer, mapped to domain values. */
export interface Observation {
  readonly status: ExportStatus;
  /** The status string exactly as the API sent it; for logs only, never a label. */
  readonly rawStatus: string;
  /** 0–100, clamped. */
  readonly percentage: number;
  /** `created_at` as Unix seconds (fractional allowed). */
  readonly createdAt: number;
}
