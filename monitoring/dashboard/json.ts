import type { DashboardConfig } from '../config.js';
import { fill } from '../fill.js';
import { panels } from './panels.js';
import { variables } from './variables.js';

/** Placeholders that stand for numbers: written as "%(name)s" strings in the template, bare numbers once filled. */
export const NUMERIC = ['stuckSeconds', 'staleSeconds'] as const;

function dashboard(): Record<string, unknown> {
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description: 'BMC log exports tracked by clouddc-exporter: status, progress, poll health and CloudDC API traffic.',
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    links: [{ title: 'Runbooks', type: 'link', url: '%(runbookUrl)s', targetBlank: true, icon: 'doc' }],
    panels: panels(),
    refresh: '30s',
    schemaVersion: 39,
    tags: ['clouddc', 'clouddc-exporter'],
    templating: { list: variables() },
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    title: 'CloudDC log exports',
    uid: 'clouddc-log-exports',
    version: 1,
    weekStart: '',
  };
}

/** dashboard-template.json: placeholders left in, for the chart's dashboard ConfigMap. */
export function dashboardTemplateJson(): string {
  return `${JSON.stringify(dashboard(), null, 2)}\n`;
}

/** The placeholder values for a config; `matchers` is the selector and extra matchers, each followed by ", ". */
export function dashboardParams(config: DashboardConfig): Record<string, string | number> {
  const matchers = [config.selector, ...config.extraMatchers]
    .filter((m) => m !== '')
    .map((m) => `${m}, `)
    .join('');
  return { matchers, cluster: config.clusterLabel, runbookUrl: config.runbookUrl, stuckSeconds: config.stuckSeconds, staleSeconds: config.staleSeconds };
}

/**
 * Fills the template as the chart does: numeric placeholders with their quotes, then the others, JSON-escaped
 * (matchers hold double quotes).
 */
export function fillDashboard(template: string, params: Record<string, string | number>): string {
  let text = template;
  for (const name of NUMERIC) text = text.split(`"%(${name})s"`).join(String(params[name]));
  const escaped = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : v]));
  return fill(text, escaped);
}

export function dashboardJson(config: DashboardConfig): string {
  return `${JSON.stringify(JSON.parse(fillDashboard(dashboardTemplateJson(), dashboardParams(config))), null, 2)}\n`;
}
