import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARD, DEFAULT_RULES } from '../../monitoring/config.js';
import { dashboardJson } from '../../monitoring/dashboard/json.js';
import { placeholders } from '../../monitoring/fill.js';
import { outputs } from '../../monitoring/outputs.js';
import { renderRules, RULE_TEMPLATES } from '../../monitoring/rules/render.js';
import { alertsYaml } from '../../monitoring/rules/yaml.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('generated monitoring files', () => {
  it.each(Object.keys(outputs()))('%s is what monitoring/ generates (npm run monitoring:generate)', (path) => {
    expect(readFileSync(`${ROOT}${path}`, 'utf8'), `${path} is stale: run npm run monitoring:generate`).toBe(outputs()[path]);
  });

  it('fills in every placeholder', () => {
    expect(placeholders(alertsYaml(DEFAULT_RULES))).toEqual([]);
    expect(placeholders(dashboardJson(DEFAULT_DASHBOARD))).toEqual([]);
  });

  it('applies per-alert overrides: parameters, for, severity, labels, annotations, disabled', () => {
    const config = {
      ...DEFAULT_RULES,
      additionalRuleLabels: { team: 'storage', severity: 'ignored' },
      alerts: {
        CloudDCLogExportStuck: {
          seconds: 3600,
          for: '30m',
          severity: 'critical' as const,
          labels: { page: 'yes' },
          annotations: { dashboard: 'https://grafana/d/x' },
        },
        CloudDCLogExportDataStale: { pollIntervals: 5, minSeconds: 300 },
        CloudDCLogExportTooSlow: { disabled: true },
      },
      disabledAlerts: ['CloudDCAccountPaused'],
    };
    const rules = new Map(renderRules(config).map(({ rule }) => [rule.alert, rule]));
    expect(rules.has('CloudDCLogExportTooSlow')).toBe(false);
    expect(rules.has('CloudDCAccountPaused')).toBe(false);
    expect(rules.size).toBe(RULE_TEMPLATES.length - 2);
    const stuck = rules.get('CloudDCLogExportStuck')!;
    expect(stuck.expr).toContain('> 3600\n');
    expect(stuck.for).toBe('30m');
    expect(stuck.labels).toEqual({ team: 'storage', severity: 'critical', page: 'yes' });
    expect(stuck.annotations.dashboard).toBe('https://grafana/d/x');
    expect(rules.get('CloudDCLogExportDataStale')!.expr).toContain('clamp_min(5 * clouddc_exporter_poll_interval_seconds{job=~".*clouddc-exporter.*"}, 300)');
    expect(rules.get('CloudDCLogExportFailed')!.labels).toEqual({ team: 'storage', severity: 'critical' });
  });

  it('refuses an override of an alert or a parameter that does not exist', () => {
    expect(() => renderRules({ ...DEFAULT_RULES, alerts: { CloudDCLogExportStuk: { for: '1m' } } })).toThrow('alerts.CloudDCLogExportStuk: no such alert');
    expect(() => renderRules({ ...DEFAULT_RULES, disabledAlerts: ['CloudDCNope'] })).toThrow('disabledAlerts: no alert named CloudDCNope');
    expect(() => renderRules({ ...DEFAULT_RULES, alerts: { CloudDCLogExportFailed: { seconds: 1 } } })).toThrow(
      'alerts.CloudDCLogExportFailed.seconds: not a parameter of this alert',
    );
  });

  it('appends additional rules to the group and points runbooks at the configured page', () => {
    const text = alertsYaml({
      ...DEFAULT_RULES,
      runbookUrl: 'https://wiki.example.com/clouddc',
      additionalRules: [{ record: 'clouddc:exports:count', expr: 'count(clouddc_log_export_info)' }],
    });
    const rules = (parse(text) as { groups: Array<{ rules: Array<Record<string, unknown>> }> }).groups[0]!.rules;
    expect(rules.at(-1)).toEqual({ record: 'clouddc:exports:count', expr: 'count(clouddc_log_export_info)' });
    expect(rules[0]!.annotations).toMatchObject({ runbook_url: 'https://wiki.example.com/clouddc#export-stuck' });
  });

  it('uses the dashboard selector, extra matchers and cluster label in every query', () => {
    const d = JSON.parse(
      dashboardJson({ ...DEFAULT_DASHBOARD, selector: 'job="my-exporter"', extraMatchers: ['env="prod"'], clusterLabel: 'k8s_cluster' }),
    ) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    // A row (the Fleet row) has no query of its own.
    for (const t of d.panels.flatMap((p) => p.targets ?? [])) {
      expect(t.expr).toContain('{job="my-exporter", env="prod", k8s_cluster=~"$cluster"');
    }
  });
});

describe("the chart's values.yaml", () => {
  const values = parse(readFileSync(`${ROOT}helm/clouddc-exporter/values.yaml`, 'utf8')) as {
    prometheusRule: Record<string, unknown>;
    dashboard: Record<string, unknown>;
  };

  it('defaults to the settings monitoring/ generates the checked-in files with', () => {
    // Except the selector: the chart derives it from the release name (job="<name>"), alerts.yml matches any.
    const { selector: _ruleSelector, ...rules } = DEFAULT_RULES;
    expect(values.prometheusRule).toMatchObject({ ...rules, selector: '' });
    expect(values.dashboard).toMatchObject(DEFAULT_DASHBOARD);
  });
});

describe('docs/alerting.md', () => {
  const doc = readFileSync(`${ROOT}docs/alerting.md`, 'utf8');
  const rows = new Map(
    doc
      .split('\n')
      .filter((l) => l.startsWith('| `CloudDC'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      )
      .map(([name, severity, , forValue, params]) => [name!.replaceAll('`', ''), { severity, for: forValue, params: params! }]),
  );

  it.each(RULE_TEMPLATES.map((t) => [t.alert, t] as const))('lists %s with its severity, for and parameter defaults', (name, t) => {
    const row = rows.get(name);
    expect(row, `no row for ${name}`).toBeDefined();
    expect(row!.severity).toBe(t.severity);
    expect(row!.for).toBe(t.for ?? '');
    const params = [...row!.params.matchAll(/`(\w+): ([^`]+)`/g)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(params)).toEqual(Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, String(v)])));
  });
});
