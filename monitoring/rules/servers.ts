import type { RuleTemplate } from './template.js';

/**
 * Alerts about discovered servers (`servers:` per account). Per-server series join on(project_id, server_id), as
 * exports do, plus job and instance: two replicas serving the same server (a rollout) never make it many-to-many.
 */
export const SERVER_RULES: RuleTemplate[] = [
  {
    alert: 'CloudDCServerCritical',
    comment:
      'Server critical: CloudDC has reported health_state Critical for %(for)s (the server series refresh once per\n' +
      "servers.interval, default 1m). The server's name and location come from clouddc_server_info; the description\n" +
      'says whether a log export is tracked for the server, so the on-call engineer knows whether BMC logs are on the way.',
    params: {},
    for: '5m',
    severity: 'critical',
    expr: `(clouddc_server_health_state{%(selector)s, state="Critical"} == 1)
* on(%(groupLabels)sjob, instance, account, project_id, server_id) group_left(name, dc, rack, unit)
clouddc_server_info{%(selector)s}
`,
    summary: 'Server {{ $labels.name }} ({{ $labels.dc }} {{ $labels.rack }} U{{ $labels.unit }}) is Critical',
    description:
      'CloudDC reports server {{ $labels.name }} ({{ $labels.server_id }}, project {{ $labels.project_id }}, account ' +
      '{{ $labels.account }}) in {{ $labels.dc }}, rack {{ $labels.rack }}, unit {{ $labels.unit }} as Critical for %(for)s. ' +
      '{{ with printf "clouddc_log_export_info{project_id=%q, server_id=%q}" $labels.project_id $labels.server_id | query }}A log export is tracked for it ' +
      '(export {{ with index . 0 }}{{ .Labels.export_id }}{{ end }}).{{ else }}No log export is tracked for it: ' +
      'clouddc-exporter export start --server={{ $labels.server_id }} collects its BMC logs.{{ end }}',
    runbook: 'server-critical',
  },
  {
    alert: 'CloudDCServerUrgentAlarm',
    comment: 'Urgent alarm: the server has had at least one active alarm of level 1 (urgent) in ListAlarms for %(for)s.',
    params: {},
    for: '2m',
    severity: 'critical',
    expr: `(clouddc_server_active_alarms{%(selector)s, level="urgent"} > 0)
* on(%(groupLabels)sjob, instance, account, project_id, server_id) group_left(name, dc, rack, unit)
clouddc_server_info{%(selector)s}
`,
    summary: 'Server {{ $labels.name }} has {{ $value }} urgent alarm(s)',
    description:
      'Server {{ $labels.name }} ({{ $labels.server_id }}, account {{ $labels.account }}) in {{ $labels.dc }}, rack ' +
      '{{ $labels.rack }}, unit {{ $labels.unit }} has {{ $value }} active urgent alarm(s) in CloudDC.',
    runbook: 'server-urgent-alarm',
  },
  {
    alert: 'CloudDCServerDiscoveryFailing',
    comment:
      'Discovery failing: no successful discovery round for %(seconds)s s, for %(for)s. The server series then show\n' +
      'the last good round, so health changes since are not seen.',
    params: { seconds: 900 },
    for: '5m',
    severity: 'warning',
    expr: `time() - clouddc_exporter_server_discovery_last_success_timestamp_seconds{%(selector)s} > %(seconds)s
or
clouddc_exporter_server_discovery_success{%(selector)s} == 0
unless on(%(groupLabels)sjob, instance, account)
clouddc_exporter_server_discovery_last_success_timestamp_seconds{%(selector)s}
`,
    summary: 'Server discovery of CloudDC account {{ $labels.account }} is failing',
    description:
      '{{ $labels.instance }} has not completed a server discovery round (ListServers, ListAlarms) for account ' +
      '{{ $labels.account }} for more than %(seconds)s s, or never has: the server series show old data, or none.',
    runbook: 'server-discovery-failing',
  },
];
