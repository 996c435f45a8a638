import type { RuleTemplate } from './template.js';

/** Alerts about accounts, the CloudDC API and the exporter itself. */
export const EXPORTER_RULES: RuleTemplate[] = [
  {
    alert: 'CloudDCAuthenticationFailing',
    comment:
      'Authentication failing: polls failed with reason 401 during the last %(window)s, continuously for %(for)s\n' +
      '(a single 401 during a token rotation stays silent). The per-export 401 counter counts HTTP 401 answers and\n' +
      'also polls refused locally (IAM login failing, AK/SK account paused), so it covers every sign-in method; it\n' +
      'is summed per account through clouddc_log_export_info. The join copies a label (group_left), so it also\n' +
      'matches job and instance: two exporters tracking the same export (a rollout) never make it many-to-many.',
    params: { window: '5m' },
    for: '10m',
    severity: 'critical',
    expr: `sum by (%(groupLabels)sjob, instance, account) (
  increase(clouddc_log_export_api_errors_total{%(selector)s, code="401"}[%(window)s])
  * on(%(groupLabels)sjob, instance, project_id, server_id, export_id) group_left(account)
  clouddc_log_export_info{%(selector)s}
) > 0
`,
    summary: 'CloudDC authentication failing for account {{ $labels.account }}',
    description:
      '{{ $value | humanize }} polls of account {{ $labels.account }} by {{ $labels.instance }} failed ' +
      'authentication (HTTP 401) in the last %(window)s; none of its exports is being monitored.',
    runbook: 'authentication-failing',
  },
  {
    alert: 'CloudDCApiThrottled',
    comment: "Throttled: more than %(ratio)s of the account's API requests were answered 429 over %(window)s, for %(for)s.",
    params: { ratio: 0.1, window: '10m' },
    for: '15m',
    severity: 'warning',
    expr: `sum by (%(groupLabels)sjob, instance, account) (rate(clouddc_api_requests_total{%(selector)s, code="429"}[%(window)s]))
/
sum by (%(groupLabels)sjob, instance, account) (rate(clouddc_api_requests_total{%(selector)s}[%(window)s]))
> %(ratio)s
`,
    summary: 'CloudDC API throttles account {{ $labels.account }}',
    description:
      '{{ $value | humanizePercentage }} of the CloudDC API requests of account {{ $labels.account }} ' +
      'by {{ $labels.instance }} were answered 429 (throttled) over the last %(window)s.',
    runbook: 'throttled',
  },
  {
    alert: 'CloudDCIamTokenExpiringSoon',
    comment:
      'IAM token expiring: less than %(seconds)s s of life left (negative: expired). The exporter renews password\n' +
      'tokens `refresh_before` (default 1 h) ahead, so this means renewals have been failing.',
    params: { seconds: 600 },
    severity: 'warning',
    expr: 'clouddc_iam_token_expiry_timestamp_seconds{%(selector)s} - time() < %(seconds)s',
    summary: 'IAM token of CloudDC account {{ $labels.account }} expires soon',
    description:
      'The IAM token that {{ $labels.instance }} uses for account {{ $labels.account }} expires in ' +
      '{{ $value | humanizeDuration }} (negative: already expired) and has not been renewed.',
    runbook: 'iam-token-expiring',
  },
  {
    alert: 'CloudDCCredentialRenewalFailing',
    comment:
      'Temporary credentials not renewed: requests for temporary AK/SK (metadata service, pod identity, IAM\n' +
      'federation) failed during the last %(window)s and none succeeded, for %(for)s. The exporter keeps the current\n' +
      'keys until they expire and renews well ahead (a fifth of their life, at most 1 h), so this fires before polls fail.',
    params: { window: '30m' },
    for: '5m',
    severity: 'warning',
    expr: `sum by (%(groupLabels)sjob, instance, account) (increase(clouddc_credential_renewals_total{%(selector)s, result="failure"}[%(window)s])) > 0
unless on(%(groupLabels)sjob, instance, account)
sum by (%(groupLabels)sjob, instance, account) (increase(clouddc_credential_renewals_total{%(selector)s, result="success"}[%(window)s])) > 0
`,
    summary: 'Temporary credentials of CloudDC account {{ $labels.account }} are not being renewed',
    description:
      '{{ $labels.instance }} failed {{ $value | humanize }} times in the last %(window)s to get temporary AK/SK for ' +
      'account {{ $labels.account }} from its metadata service, pod identity or IAM; it signs with the current ' +
      'keys until they expire.',
    runbook: 'credential-renewal-failing',
  },
  {
    alert: 'CloudDCAccountPaused',
    comment:
      'Account paused: the account was paused (AK/SK signature refused) at some point in the last %(window)s.\n' +
      "max_over_time bridges the short gaps between a pause's end and the next refused probe.",
    params: { window: '5m' },
    severity: 'warning',
    expr: 'max_over_time(clouddc_api_account_paused{%(selector)s}[%(window)s]) == 1',
    summary: 'CloudDC account {{ $labels.account }} is paused after a refused AK/SK signature',
    description:
      '{{ $labels.instance }} sends no requests for account {{ $labels.account }} because CloudDC refused its ' +
      'AK/SK signature; it retries after a pause, so that the access key is not locked.',
    runbook: 'account-paused',
  },
  {
    alert: 'CloudDCExporterConfigReloadFailed',
    comment: 'Config reload failed: the last reload was refused, for %(for)s; the previous config is still in use.',
    params: {},
    for: '5m',
    severity: 'warning',
    expr: 'clouddc_exporter_config_last_reload_successful{%(selector)s} == 0',
    summary: 'clouddc-exporter {{ $labels.instance }} refused its new configuration',
    description:
      'The last configuration reload of {{ $labels.instance }} (job {{ $labels.job }}) failed; it keeps ' + 'running with the previous configuration.',
    runbook: 'config-reload-failed',
  },
  {
    alert: 'CloudDCExporterFileReloadFailed',
    comment:
      'File reload failed: a changed secret file or TLS file was refused in the last %(window)s; the previous\n' +
      'secret or certificate is still in use. Each refused version counts once, so the alert fires at once.',
    params: { window: '1h' },
    severity: 'warning',
    expr: 'increase(clouddc_exporter_file_reload_failures_total{%(selector)s}[%(window)s]) > 0',
    summary: 'clouddc-exporter {{ $labels.instance }} refused a changed {{ $labels.file }}',
    description:
      '{{ $labels.instance }} (job {{ $labels.job }}) refused a new version of its {{ $labels.file }} in the last ' +
      '%(window)s and keeps using the previous one, until it expires or is revoked.',
    runbook: 'file-reload-failed',
  },
  {
    alert: 'CloudDCExporterDown',
    comment: 'Exporter down: Prometheus cannot scrape it, for %(for)s.',
    params: {},
    for: '5m',
    severity: 'critical',
    expr: 'up{%(selector)s} == 0',
    summary: 'clouddc-exporter {{ $labels.instance }} is down',
    description:
      'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %(for)s; ' + 'no CloudDC log export is being monitored by it.',
    runbook: 'exporter-down',
  },
  {
    alert: 'CloudDCExporterAbsent',
    comment: 'Exporter absent: Prometheus has no target matching the selector at all, for %(for)s.',
    params: {},
    for: '15m',
    severity: 'critical',
    expr: 'absent(up{%(selector)s})',
    summary: 'clouddc-exporter has disappeared from Prometheus',
    description: 'No clouddc-exporter target has been discovered for %(for)s; no CloudDC log export is being monitored.',
    runbook: 'exporter-absent',
  },
  {
    alert: 'CloudDCExporterPollCyclesSkipped',
    comment:
      'Poll cycles skipped: schedule ticks were skipped during each of the last %(window)s windows, for %(for)s\n' + '(one skip now and then is harmless).',
    params: { window: '15m' },
    for: '30m',
    severity: 'info',
    expr: 'increase(clouddc_exporter_poll_cycles_skipped_total{%(selector)s}[%(window)s]) > 0',
    summary: 'clouddc-exporter {{ $labels.instance }} keeps skipping poll cycles',
    description:
      '{{ $value | humanize }} schedule ticks of {{ $labels.instance }} found the previous poll cycle still ' +
      'running in the last %(window)s (each late cycle started when the previous one ended): exports are ' +
      'polled less often than poll.schedule says.',
    runbook: 'poll-cycles-skipped',
  },
];
