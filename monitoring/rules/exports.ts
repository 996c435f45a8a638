import type { RuleTemplate } from './template.js';

/**
 * Copies the export's configured alias and account from its info series onto the alert, so that a page names
 * what a person wrote in the config rather than ids alone. The join also matches job and instance: two exporters
 * tracking one export (a rollout) never make it many-to-many. The info series is always 1, so $value stays.
 */
const NAMED = `* on(%(groupLabels)sjob, instance, project_id, server_id, export_id) group_left(name, account)
clouddc_log_export_info{%(selector)s}
`;

/** How summaries and descriptions name an export: its alias with the id, or the id when it has no alias. */
const EXPORT = '{{ with $labels.name }}{{ . }} ({{ $labels.export_id }}){{ else }}{{ $labels.export_id }}{{ end }}';

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
    summary: `CloudDC log export ${EXPORT} on server {{ $labels.server_id }} is stuck`,
    description:
      `Export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}, exporter {{ $labels.instance }}) ` +
      'is processing, but neither its status nor its percentage has changed for {{ $value | humanizeDuration }}.',
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
    summary: `CloudDC log export ${EXPORT} on server {{ $labels.server_id }} is taking too long`,
    description:
      `Export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'was created {{ $value | humanizeDuration }} ago and is still processing.',
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
    summary: `CloudDC log export ${EXPORT} on server {{ $labels.server_id }} failed`,
    description:
      `CloudDC reports export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'as failed: no log bundle will be produced.',
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
    summary: `CloudDC log export ${EXPORT} reports an unknown status`,
    description:
      `Export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      "has reported a status the exporter does not recognise for %(for)s; the raw value is in the exporter's log.",
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
    summary: `Polls of CloudDC log export ${EXPORT} are failing`,
    description:
      `Every poll of export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'by {{ $labels.instance }} has failed for %(for)s; see clouddc_log_export_api_errors_total by code.',
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
    summary: `Data of CloudDC log export ${EXPORT} is stale`,
    description:
      `Export ${EXPORT} of server {{ $labels.server_id }} (account {{ $labels.account }}, project {{ $labels.project_id }}) ` +
      'was last polled successfully {{ $value | humanizeDuration }} ago by {{ $labels.instance }}, although ' +
      'its last poll did not fail: the exporter is not polling it.',
    runbook: 'data-stale',
  },
];
