/**
 * PromQL of the dashboard, with the placeholders the chart fills in: %(matchers)s (the configured selector and
 * extra matchers, each followed by ", "; empty by default) and %(cluster)s (the cluster label's name).
 *
 * Per-export series are deduplicated with max by (cluster, project_id, server_id, export_id): while a rolling
 * update has two exporter pods up, both export every series, and a plain count or sum would double.
 */

/** Exporter-level filter: the configured matchers and the cluster, job and instance variables. */
export const TARGET = '%(matchers)s%(cluster)s=~"$cluster", job=~"$job", instance=~"$instance"';
const EXPORT = `${TARGET}, project_id=~"$project", server_id=~"$server"`;
const INFO = `${TARGET}, account=~"$account", project_id=~"$project", server_id=~"$server"`;
/** One export, wherever it is exported from. */
export const KEY = '%(cluster)s, project_id, server_id, export_id';

/** Exporter-level series (one per pod) of the pods that export any selected export. */
const POD = '%(cluster)s, job, instance';
function perPod(family: string, extra = '', by = POD): string {
  return `max by (${by}) (${family}{${TARGET}${extra}} and on(${by}) clouddc_log_export_info{${INFO}})`;
}

/** `family` filtered by every variable (account through clouddc_log_export_info), one series per export. */
function perExport(family: string, extra = '', by = KEY): string {
  return `max by (${by}) (${family}{${EXPORT}${extra}} and on(${KEY}) clouddc_log_export_info{${INFO}})`;
}

/**
 * Discovered servers, filtered by every variable but instance: exports shard by export and servers by server, so
 * the pod that discovered an export's server is often not the pod polling the export.
 */
const FLEET = '%(matchers)s%(cluster)s=~"$cluster", job=~"$job", account=~"$account", project_id=~"$project", server_id=~"$server"';
const SERVER_KEY = '%(cluster)s, account, project_id, server_id';

export const Q = {
  trackedExports: `count(max by (${KEY}) (clouddc_log_export_info{${INFO}}))`,
  byStatus: `sum by (status) (${perExport('clouddc_log_export_status', '', `${KEY}, status`)} == 1)`,
  pollsSucceeding: `avg(${perExport('clouddc_log_export_poll_success')})`,
  oldestData:
    `max(time() - ${perExport('clouddc_log_export_last_poll_success_timestamp_seconds')}` +
    ` unless on(${KEY}) clouddc_log_export_status{${EXPORT}, status="completed"} == 1)`,
  percentage: perExport('clouddc_log_export_percentage'),
  age: perExport('clouddc_log_export_age_seconds'),
  status: `${perExport('clouddc_log_export_status', '', `${KEY}, status`)} == 1`,
  info: `max by (${KEY}, name, account) (clouddc_log_export_info{${INFO}})`,
  pollSuccess: perExport('clouddc_log_export_poll_success'),
  /**
   * The discovered server of each export: name, dc, rack and current health (exports of servers discovery does
   * not know have no row here, and the table leaves those cells empty). topk keeps one pod's view per server, so
   * a rollout whose pods momentarily disagree on health never makes the join many-to-many.
   */
  server:
    `max by (${KEY}, server_name, dc, rack, health) (clouddc_log_export_info{${INFO}}` +
    ` * on(${SERVER_KEY}) group_left(server_name, dc, rack, health) topk by (${SERVER_KEY}) (1,` +
    ` label_replace(label_replace(clouddc_server_health_state{${FLEET}} == 1, "health", "$1", "state", "(.+)")` +
    ` * on(%(cluster)s, job, instance, account, project_id, server_id) group_left(name, dc, rack) clouddc_server_info{${FLEET}},` +
    ` "server_name", "$1", "name", "(.+)")))`,
  /** What CloudDCLogExportStuck fires on: time since status or percentage last changed, of processing exports. */
  lastProgress:
    `time() - ${perExport('clouddc_log_export_last_progress_timestamp_seconds')}` +
    ` and on(${KEY}) clouddc_log_export_status{${EXPORT}, status="processing"} == 1`,
  failedPolls: `sum by (code) (rate(clouddc_log_export_api_errors_total{${EXPORT}}[$__rate_interval]) and on(${KEY}) clouddc_log_export_info{${INFO}})`,
  requests: `sum by (account, code) (rate(clouddc_api_requests_total{${TARGET}, account=~"$account"}[$__rate_interval]) and on(account) clouddc_log_export_info{${INFO}})`,
  latency: (q: number) =>
    `histogram_quantile(${q}, sum by (le, account) (rate(clouddc_api_request_duration_seconds_bucket{${TARGET}, account=~"$account"}[$__rate_interval]) and on(account) clouddc_log_export_info{${INFO}}))`,
  /** The last cycle, the floor the rate limit sets per account, and the schedule's interval, per pod. */
  cycleDuration: perPod('clouddc_exporter_poll_cycle_duration_seconds'),
  cycleMinDuration: perPod('clouddc_exporter_poll_cycle_min_duration_seconds', ', account=~"$account"', `${POD}, account`),
  pollInterval: perPod('clouddc_exporter_poll_interval_seconds'),
  retries: `sum by (account, reason) (rate(clouddc_api_retries_total{${TARGET}, account=~"$account"}[$__rate_interval]) and on(account) clouddc_log_export_info{${INFO}})`,
};
