import type { RuleTemplate } from './template.js';

/** Alerts about automatic log collection (`auto_collect`): the exporter writing to the cloud on its own. */
export const AUTO_COLLECT_RULES: RuleTemplate[] = [
  {
    alert: 'CloudDCAutoCollectFailing',
    comment:
      'Automatic collection failing: an automatic ExportServerLogs, or the download of its bundle, failed in the last\n' +
      '%(window)s. A start that may have reached CloudDC is never repeated, so this alert is the only prompt to check\n' +
      "that the server's BMC logs were collected. It fires at once and resolves %(window)s after the last failure.",
    params: { window: '1h' },
    severity: 'warning',
    expr: `sum by (%(groupLabels)sjob, instance, account) (increase(clouddc_exporter_auto_collect_total{%(selector)s, result="failed"}[%(window)s])) > 0
or
sum by (%(groupLabels)sjob, instance, account) (increase(clouddc_exporter_auto_collect_downloads_total{%(selector)s, result="failed"}[%(window)s])) > 0
`,
    summary: 'Automatic log collection is failing for CloudDC account {{ $labels.account }}',
    description:
      '{{ $labels.instance }} could not start a log export, or download its bundle, for a failing server of account ' +
      '{{ $labels.account }} in the last %(window)s: BMC logs of that server may not be collected. The status page ' +
      '(Automatic log collection) and the "auto-collect: failed" log lines name the server and the reason.',
    runbook: 'auto-collect-failing',
  },
];
