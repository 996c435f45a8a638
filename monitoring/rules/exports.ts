import type { RuleTemplate } from './template.js';

/**
 * Copies the export's configured alias and account from its info series onto the alert, so that a page names
 * what a person wrote in the config rather than ids alone. The join also matches job and instance: two exporters
 * tracking one export (a rollout) never make it many-to-many. The info series is always 1, so $value stays.
 *
 * Then copies the discovered server's name (as server_name: the export's alias is `name`), dc and rack, when
 * discovery (`servers:`) knows the server. The right-hand side is one series per server: the server's info where
 * there is one, else a bare series made from the exports' own info, so an export of an undiscovered server (or
 * with discovery off) joins that and fires exactly as before, without its labels. It matches on job, not
 * instance: exports shard by export, servers by server, so another replica may well be the one discovering the
 * server; `group by` folds replicas that report the same server into one. Health is not a label, since an alert
 * whose labels change starts over: the description looks it up when the alert is evaluated.
 */
const NAMED = `* on(%(groupLabels)sjob, instance, project_id, server_id, export_id) group_left(name, account)
clouddc_log_export_info{%(selector)s}
* on(%(groupLabels)sjob, account, project_id, server_id) group_left(server_name, dc, rack)
(
  group by (%(groupLabels)sjob, account, project_id, server_id, server_name, dc, rack) (
    label_replace(clouddc_server_info{%(selector)s}, "server_name", "$1", "name", "(.+)")
  )
  or on(%(groupLabels)sjob, account, project_id, server_id)
  group by (%(groupLabels)sjob, account, project_id, server_id) (clouddc_log_export_info{%(selector)s})
)
`;

/** How summaries and descriptions name an export: its alias with the id, or the id when it has no alias. */
const EXPORT = '{{ with $labels.name }}{{ . }} ({{ $labels.export_id }}){{ else }}{{ $labels.export_id }}{{ end }}';

/** How they name the server: its id, with the discovered name and place when discovery knows it. */
const SERVER =
  '{{ $labels.server_id }}{{ with $labels.server_name }} ({{ . }}{{ with $labels.rack }}, {{ with $labels.dc }}{{ . }} {{ end }}rack {{ . }}{{ end }}){{ end }}';

/** The discovered server's health now, as a sentence after the description; nothing when it is not discovered. */
const HEALTH =
  '{{ with printf "clouddc_server_health_state{account=%q, project_id=%q, server_id=%q} == 1" $labels.account $labels.project_id $labels.server_id | query }}' +
  "{{ with index . 0 }} The server's health in CloudDC is {{ .Labels.state }}.{{ end }}{{ end }}";

/** Alerts about single exports. Joins match on(project_id, server_id, export_id); each carries name and account. */
export const EXPORT_RULES: RuleTemplate[] = [
  {
    alert: 'CloudDCLogExportStuck',
    comment:
      'Stuck: processing, and neither status nor percentage changed for %(seconds)s s, for %(for)s more.\n' +
      'last_progress_timestamp_seconds resets when the exporter restarts (the first poll counts as progress).',
    params: { seconds: 1800 },
    for: '10m',
    severity: 'warning',
    expr: `(
  (time() - clouddc_log_export_last_progress_timestamp_seconds{%(selector)s}) > %(seconds)s
  and on(%(groupLabels)sproject_id, server_id, export_id)
  clouddc_log_export_status{%(selector)s, status="processing"} == 1
)
${NAMED}`,
    summary: `CloudDC log export ${EXPORT} on server ${SERVER} is stuck`,
    description:
      `Export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}, exporter {{ $labels.instance }}) ` +
      'is processing, but neither its status nor its percentage has changed for {{ $value | humanizeDuration }}.' +
      HEALTH,
    runbook: 'export-stuck',
  },
  {
    alert: 'CloudDCLogExportTooSlow',
    comment: 'Too slow: still processing %(seconds)s s after its created_at (the analogue of KubeJobNotCompleted).',
    params: { seconds: 21600 },
    severity: 'warning',
    expr: `(
  (time() - clouddc_log_export_created_timestamp_seconds{%(selector)s}) > %(seconds)s
  and on(%(groupLabels)sproject_id, server_id, export_id)
  clouddc_log_export_status{%(selector)s, status="processing"} == 1
)
${NAMED}`,
    summary: `CloudDC log export ${EXPORT} on server ${SERVER} is taking too long`,
    description:
      `Export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'was created {{ $value | humanizeDuration }} ago and is still processing.' +
      HEALTH,
    runbook: 'export-too-slow',
  },
  {
    alert: 'CloudDCLogExportFailed',
    comment:
      'Failed: the API reported a failed status (failed/failure/error) for %(for)s (about two polls at the\n' +
      'default 30 s schedule), so one odd answer does not page. retention.failed retires it from the exporter.',
    params: {},
    for: '1m',
    severity: 'critical',
    expr: `(clouddc_log_export_status{%(selector)s, status="failed"} == 1)
${NAMED}`,
    summary: `CloudDC log export ${EXPORT} on server ${SERVER} failed`,
    description:
      `CloudDC reports export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'as failed: no log bundle will be produced.' +
      HEALTH,
    runbook: 'export-failed',
  },
  {
    alert: 'CloudDCLogExportStatusUnknown',
    comment: 'Unknown status: the API answers a status the exporter does not know (e.g. "Queued") for %(for)s.',
    params: {},
    for: '15m',
    severity: 'info',
    expr: `(clouddc_log_export_status{%(selector)s, status="unknown"} == 1)
${NAMED}`,
    summary: `CloudDC log export ${EXPORT} on server ${SERVER} reports an unknown status`,
    description:
      `Export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      "has reported a status the exporter does not recognise for %(for)s; the raw value is in the exporter's log." +
      HEALTH,
    runbook: 'export-status-unknown',
  },
  {
    alert: 'CloudDCLogExportPollFailing',
    comment: 'Polls failing: the last poll of this export failed, continuously for %(for)s.',
    params: {},
    for: '15m',
    severity: 'warning',
    expr: `(clouddc_log_export_poll_success{%(selector)s} == 0)
${NAMED}`,
    summary: `Polls of CloudDC log export ${EXPORT} on server ${SERVER} are failing`,
    description:
      `Every poll of export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'by {{ $labels.instance }} has failed for %(for)s; see clouddc_log_export_api_errors_total by code.' +
      HEALTH,
    runbook: 'polls-failing',
  },
  {
    alert: 'CloudDCLogExportDataStale',
    comment:
      "Data stale: no successful poll for %(pollIntervals)s poll intervals (the exporter's own\n" +
      'clouddc_exporter_poll_interval_seconds, so any poll.schedule is right), and never less than %(minSeconds)s s,\n' +
      'which covers the scrape interval, for %(for)s. Completed exports are not polled any more, and exports whose\n' +
      'polls fail are CloudDCLogExportPollFailing\'s business; both are excluded, so this one means "not polled at all".',
    params: { pollIntervals: 3, minSeconds: 90 },
    for: '5m',
    severity: 'warning',
    expr: `(
  (time() - clouddc_log_export_last_poll_success_timestamp_seconds{%(selector)s})
  > on(%(groupLabels)sjob, instance) group_left()
  clamp_min(%(pollIntervals)s * clouddc_exporter_poll_interval_seconds{%(selector)s}, %(minSeconds)s)
  unless on(%(groupLabels)sproject_id, server_id, export_id)
  clouddc_log_export_status{%(selector)s, status="completed"} == 1
  unless on(%(groupLabels)sproject_id, server_id, export_id)
  clouddc_log_export_poll_success{%(selector)s} == 0
)
${NAMED}`,
    summary: `Data of CloudDC log export ${EXPORT} on server ${SERVER} is stale`,
    description:
      `Export ${EXPORT} of server ${SERVER} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'was last polled successfully {{ $value | humanizeDuration }} ago by {{ $labels.instance }}, although ' +
      'its last poll did not fail: the exporter is not polling it.' +
      HEALTH,
    runbook: 'data-stale',
  },
];
