/**
 * What a user can change in the generated alerts and dashboard: the same keys as the chart's `prometheusRule.*`
 * and `dashboard.*` values. Defaults reproduce the checked-in files.
 */

export type Severity = 'critical' | 'warning' | 'info';

/** Per-alert changes: the alert's own parameters (thresholds, windows) plus the keys below. */
export interface AlertOverride {
  disabled?: boolean;
  for?: string;
  severity?: Severity;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [param: string]: unknown;
}

export interface RulesConfig {
  /** PromQL matcher that finds the exporter's own series, e.g. job="clouddc-exporter". */
  selector: string;
  /** More matchers added to every selector, e.g. cluster="prod". */
  extraMatchers: string[];
  /**
   * Labels every aggregation (`sum by`) and join (`on(...)`) keeps besides its own, e.g. ["cluster"] when one
   * ruler (Thanos, Mimir) evaluates the rules over several clusters whose exporters may share job and instance.
   */
  groupLabels: string[];
  /** Page holding the runbooks; each alert appends #its-anchor. */
  runbookUrl: string;
  /** Alert name → changes. */
  alerts: Record<string, AlertOverride>;
  /** Alerts to leave out (the same as alerts.<name>.disabled). */
  disabledAlerts: string[];
  /** Labels added to every alert; an alert's own label of the same name wins. */
  additionalRuleLabels: Record<string, string>;
  /** Rules appended to the group as they are (recording or alerting). */
  additionalRules: Array<Record<string, unknown>>;
}

export interface DashboardConfig {
  /** Matcher added to every query, e.g. job=~".*clouddc-exporter.*"; empty: none (the variables filter). */
  selector: string;
  extraMatchers: string[];
  /** The label that tells clusters apart (the $cluster variable); series without it still show. */
  clusterLabel: string;
  runbookUrl: string;
  /** "Last progress" turns red above this many seconds (the Stuck alert's threshold). */
  stuckSeconds: number;
  /** "Oldest data" turns orange above this many seconds (the DataStale alert's floor). */
  staleSeconds: number;
}

export const RUNBOOK_URL = 'https://github.com/clouddc-exporter/clouddc-exporter/blob/main/docs/runbooks.md';

export const DEFAULT_RULES: RulesConfig = {
  selector: 'job=~".*clouddc-exporter.*"',
  extraMatchers: [],
  groupLabels: [],
  runbookUrl: RUNBOOK_URL,
  alerts: {},
  disabledAlerts: [],
  additionalRuleLabels: {},
  additionalRules: [],
};

export const DEFAULT_DASHBOARD: DashboardConfig = {
  selector: '',
  extraMatchers: [],
  clusterLabel: 'cluster',
  runbookUrl: RUNBOOK_URL,
  stuckSeconds: 1800,
  staleSeconds: 90,
};
