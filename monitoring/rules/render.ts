import type { AlertOverride, RulesConfig } from '../config.js';
import { fill, matcherList } from '../fill.js';
import { EXPORTER_RULES } from './exporter.js';
import { EXPORT_RULES } from './exports.js';
import { SERVER_RULES } from './servers.js';
import { AUTO_COLLECT_RULES } from './auto-collect.js';
import type { RuleTemplate } from './template.js';

export const GROUP = 'clouddc-exporter';
export const RULE_TEMPLATES: readonly RuleTemplate[] = [...EXPORT_RULES, ...SERVER_RULES, ...AUTO_COLLECT_RULES, ...EXPORTER_RULES];

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Keys of an override that are not parameters of the alert. */
const OVERRIDE_KEYS = new Set(['disabled', 'for', 'severity', 'labels', 'annotations']);

function checkOverrides(alerts: Record<string, AlertOverride>): void {
  for (const [name, o] of Object.entries(alerts)) {
    const t = RULE_TEMPLATES.find((r) => r.alert === name);
    if (t === undefined) throw new Error(`alerts.${name}: no such alert`);
    for (const key of Object.keys(o)) {
      if (!OVERRIDE_KEYS.has(key) && !(key in t.params)) throw new Error(`alerts.${name}.${key}: not a parameter of this alert`);
    }
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `%(groupLabels)s`: each label and a comma, so that `by (%(groupLabels)sjob, …)` reads right with none. */
export function groupLabelList(labels: readonly string[]): string {
  for (const l of labels) if (!LABEL_NAME.test(l)) throw new Error(`groupLabels: "${l}" is not a label name`);
  return labels.map((l) => `${l}, `).join('');
}

/** The values every placeholder of one rule takes. Shared with the comments, so they always tell the truth. */
export function ruleParams(t: RuleTemplate, config: RulesConfig): Record<string, string | number> {
  const o = config.alerts[t.alert] ?? {};
  const params: Record<string, string | number> = { ...t.params };
  for (const key of Object.keys(t.params)) if (o[key] !== undefined) params[key] = o[key] as string | number;
  return {
    ...params,
    selector: matcherList(config.selector, config.extraMatchers),
    groupLabels: groupLabelList(config.groupLabels),
    runbookUrl: config.runbookUrl,
    for: o.for ?? t.for ?? '0s',
  };
}

export function renderRule(t: RuleTemplate, config: RulesConfig): AlertRule {
  const o = config.alerts[t.alert] ?? {};
  const p = ruleParams(t, config);
  const forValue = o.for ?? t.for;
  return {
    alert: t.alert,
    expr: fill(t.expr, p),
    ...(forValue !== undefined && { for: forValue }),
    labels: { ...config.additionalRuleLabels, severity: o.severity ?? t.severity, ...o.labels },
    annotations: {
      summary: fill(t.summary, p),
      description: fill(t.description, p),
      runbook_url: `${config.runbookUrl}#${t.runbook}`,
      ...o.annotations,
    },
  };
}

/** Rules of a plain Prometheus rule file (or a PrometheusRule's spec.groups). */
export function renderRules(config: RulesConfig): Array<{ template: RuleTemplate; rule: AlertRule }> {
  checkOverrides(config.alerts);
  for (const name of config.disabledAlerts) {
    if (!RULE_TEMPLATES.some((t) => t.alert === name)) throw new Error(`disabledAlerts: no alert named ${name}`);
  }
  const enabled = (t: RuleTemplate) => config.alerts[t.alert]?.disabled !== true && !config.disabledAlerts.includes(t.alert);
  return RULE_TEMPLATES.filter(enabled).map((t) => ({ template: t, rule: renderRule(t, config) }));
}

/**
 * The rules with their placeholders left in, for the chart: prometheusrule.yaml fills them in from values the
 * way renderRule does here (test/monitoring/chart-parity.test.ts holds the two to the same output).
 */
export function rulesTemplate(): { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> } {
  return {
    groups: [
      {
        name: GROUP,
        rules: RULE_TEMPLATES.map((t) => ({
          alert: t.alert,
          expr: t.expr,
          ...(t.for !== undefined && { for: t.for }),
          severity: t.severity,
          params: t.params,
          annotations: { summary: t.summary, description: t.description, runbook_url: `%(runbookUrl)s#${t.runbook}` },
        })),
      },
    ],
  };
}
