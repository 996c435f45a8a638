import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** The monitoring files the Helm chart ships (read there with .Files.Get). */
export const FILES_DIR = fileURLToPath(new URL('../../helm/clouddc-exporter/files/', import.meta.url));
export const ALERTS_FILE = `${FILES_DIR}alerts.yml`;
export const ALERTS_TEST_FILE = `${FILES_DIR}alerts_test.yml`;
export const DASHBOARD_FILE = `${FILES_DIR}dashboard.json`;
export const RUNBOOKS_FILE = fileURLToPath(new URL('../../docs/runbooks.md', import.meta.url));

export const RUNBOOK_BASE = 'https://github.com/clouddc-exporter/clouddc-exporter/blob/main/docs/runbooks.md#';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

export function loadRules(text = readFileSync(ALERTS_FILE, 'utf8')): RuleFile {
  return parse(text) as RuleFile;
}

export function alertRules(file: RuleFile = loadRules()): AlertRule[] {
  return file.groups.flatMap((g) => g.rules).filter((r) => typeof r.alert === 'string');
}

/** GitHub's heading anchor for the runbook headings (letters, digits, spaces and hyphens only). */
export function slugify(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/**
 * The rules for a fast end-to-end run, changing nothing but timing values: every `for:` becomes `forValue`,
 * every range selector `[5m]` becomes `[range]`, and the numbers listed in `thresholds` (per alert, exact text
 * that must occur exactly once in that alert's expr) are replaced. Label matchers, joins, labels and
 * annotations stay exactly as shipped.
 */
export function shortenRules(file: RuleFile, opts: { forValue: string; range: string; thresholds: Record<string, Array<[string, string]>> }): string {
  const seen = new Set<string>();
  const groups = file.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => {
      let expr = r.expr.replace(/\[(\d+(ms|s|m|h|d|w|y))+\]/g, `[${opts.range}]`);
      for (const [from, to] of opts.thresholds[r.alert] ?? []) {
        const count = expr.split(from).length - 1;
        if (count !== 1) throw new Error(`${r.alert}: expected "${from}" once in its expr, found it ${count} times`);
        expr = expr.replace(from, to);
      }
      seen.add(r.alert);
      return { ...r, expr, ...(r.for !== undefined && { for: opts.forValue }) };
    }),
  }));
  for (const alert of Object.keys(opts.thresholds)) {
    if (!seen.has(alert)) throw new Error(`no alert named ${alert} in the rules`);
  }
  return stringify({ groups });
}
