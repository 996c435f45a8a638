import { readFileSync } from 'node:fs';
import { DASHBOARD_FILE } from './rules.js';

/** dashboard.json as the tests read it, and what Grafana does with its variables. */
export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  fieldConfig?: {
    defaults?: Record<string, unknown>;
    overrides?: Array<{ matcher: { id: string; options: string }; properties: Array<{ id: string; value: unknown }> }>;
  };
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type?: string; uid?: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
export const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
export const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));

/** Grafana's built-in variables with a 1 h range. */
const BUILTIN: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};
export const DASHBOARD_VARIABLES = ['cluster', 'job', 'instance', 'account', 'project', 'server'];
/** "All" selected everywhere: Grafana puts each variable's allValue (.*) in its place. */
export const ALL: Record<string, string> = Object.fromEntries(DASHBOARD_VARIABLES.map((v) => [v, '.*']));

/**
 * What Grafana sends for `expr`; a variable without a value fails the test, so a new one cannot slip in untested.
 * `$1` in label_replace is a back-reference: Grafana leaves a name it has no variable for as it is, and the
 * dashboard defines none made of digits.
 */
export function substitute(expr: string, values: Record<string, string> = ALL): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, a: string | undefined, b: string | undefined, c: string | undefined) => {
    const name = (a ?? b ?? c)!;
    if (b !== undefined && /^\d+$/.test(b)) return match;
    const value = values[name] ?? BUILTIN[name];
    if (value === undefined) throw new Error(`no test value for variable $${name} in: ${expr}`);
    return value;
  });
}

export function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : v.query.query;
}
