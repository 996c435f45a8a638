import type { Severity } from '../config.js';

/**
 * One alert before its configuration is applied. `expr`, `summary`, `description` and `comment` may hold
 * placeholders: %(selector)s (the exporter's matchers), %(groupLabels)s (labels every `by` and `on` keeps,
 * written before the rule's own), %(for)s, %(runbookUrl)s and every key of `params`.
 */
export interface RuleTemplate {
  alert: string;
  /** Why the rule is what it is; written above it in alerts.yml. */
  comment: string;
  /** Thresholds and windows a user may change, with their defaults. */
  params: Record<string, number | string>;
  for?: string;
  severity: Severity;
  expr: string;
  summary: string;
  description: string;
  /** Anchor of the rule's section in the runbooks page. */
  runbook: string;
}
