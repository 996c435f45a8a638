import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { EXPORT_RULES } from '../../monitoring/rules/exports.js';
import { ALERTS_FILE, ALERTS_TEST_FILE, FILES_DIR, RUNBOOKS_FILE, RUNBOOK_BASE, alertRules, loadRules, slugify } from './rules.js';

const hasPromtool = requireTool('promtool');

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: FILES_DIR, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasPromtool)('alerts.yml with promtool', () => {
  it('passes promtool check rules', () => {
    const r = promtool('check', 'rules', ALERTS_FILE);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('passes its unit tests (promtool test rules alerts_test.yml)', () => {
    const r = promtool('test', 'rules', ALERTS_TEST_FILE);
    expect(r.status, r.output).toBe(0);
  });
});

describe('alerts.yml', () => {
  const rules = alertRules();

  it('is one group named clouddc-exporter', () => {
    const file = loadRules();
    expect(file.groups.map((g) => g.name)).toEqual(['clouddc-exporter']);
    expect(rules.length).toBeGreaterThanOrEqual(12);
  });

  it('has unique alert names', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(rules.map((r) => [r.alert, r] as const))('%s has severity, summary, description and a docs/runbooks.md runbook_url', (_, rule) => {
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary?.trim()).toBeTruthy();
    expect(rule.annotations?.description?.trim()).toBeTruthy();
    expect(rule.annotations?.runbook_url).toMatch(new RegExp(`^${RUNBOOK_BASE.replace(/[.#]/g, '\\$&')}[a-z0-9-]+$`));
  });

  it('joins per-export series on project_id, server_id and export_id, servers on their key, and exporter-wide gauges on job and instance', () => {
    for (const rule of rules) {
      for (const m of rule.expr.matchAll(/\bon\s*\(([^)]*)\)(\s*group_left\(\)\s*\n?\s*\w+\(\s*[\d.]+\s*\*\s*clouddc_exporter_\w+)?(.*)/g)) {
        const labels = m[1]!.split(',').map((l) => l.trim());
        // An exporter's own gauge (one series per target) joins onto its per-export series by target.
        if (m[2] !== undefined) {
          expect(labels, `${rule.alert}: ${m[0]}`).toEqual(['job', 'instance']);
          continue;
        }
        // The discovered server joins onto an export by the server, from whichever replica discovered it.
        if (/group_left\(server_name, dc, rack\)$/.test(m[3]!) || /\bor\s+on\s*\($/.test(rule.expr.slice(0, m.index + 3))) {
          expect(labels, `${rule.alert}: ${m[0]}`).toEqual(['job', 'account', 'project_id', 'server_id']);
          continue;
        }
        // Discovered servers join on their server (and the account that discovered them).
        if (rule.expr.startsWith('(clouddc_server_')) {
          expect(labels, `${rule.alert}: ${m[0]}`).toEqual(expect.arrayContaining(['account', 'project_id', 'server_id']));
          continue;
        }
        // Per-account series of the exporter (discovery rounds, credential renewals) join on their account.
        if (rule.expr.includes('clouddc_exporter_server_discovery_') || rule.expr.includes('clouddc_credential_renewals_total')) {
          expect(labels, `${rule.alert}: ${m[0]}`).toEqual(['job', 'instance', 'account']);
          continue;
        }
        expect(labels, `${rule.alert}: ${m[0]}`).toEqual(expect.arrayContaining(['project_id', 'server_id', 'export_id']));
      }
    }
  });

  it('names the export as configured: every per-export alert copies name and account from the info series', () => {
    for (const t of EXPORT_RULES) {
      const rule = rules.find((r) => r.alert === t.alert)!;
      expect(rule.expr, t.alert).toMatch(
        /\n\* on\(job, instance, project_id, server_id, export_id\) group_left\(name, account\)\nclouddc_log_export_info\{[^}]*\}\n\* on\(job, account, project_id, server_id\) group_left\(server_name, dc, rack\)\n/,
      );
      expect(rule.annotations!.summary, t.alert).toContain('{{ with $labels.name }}');
      expect(rule.annotations!.description, t.alert).toContain('{{ $labels.account }}');
    }
    // The promtool cases expect the labels on every firing per-export alert.
    const tests = (
      parse(readFileSync(ALERTS_TEST_FILE, 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: Array<{ exp_labels: Record<string, string> }> }> }>;
      }
    ).tests;
    const fired = tests.flatMap((c) => c.alert_rule_test ?? []).filter((c) => EXPORT_RULES.some((t) => t.alert === c.alertname));
    for (const c of fired) for (const a of c.exp_alerts ?? []) expect(a.exp_labels, c.alertname).toHaveProperty('account');
  });

  it('shows the discovered server next to every per-export alert: server_name, dc and rack, health in the description, and fires without', () => {
    const sel = '\\{[^}]*\\}';
    const serverJoin = new RegExp(
      '\\n\\* on\\(job, account, project_id, server_id\\) group_left\\(server_name, dc, rack\\)\\n\\(\\n' +
        '  group by \\(job, account, project_id, server_id, server_name, dc, rack\\) \\(\\n' +
        `    label_replace\\(clouddc_server_info${sel}, "server_name", "\\$1", "name", "\\(\\.\\+\\)"\\)\\n  \\)\\n` +
        '  or on\\(job, account, project_id, server_id\\)\\n' +
        `  group by \\(job, account, project_id, server_id\\) \\(clouddc_log_export_info${sel}\\)\\n\\)\\n$`,
    );
    for (const t of EXPORT_RULES) {
      const rule = rules.find((r) => r.alert === t.alert)!;
      expect(rule.expr, t.alert).toMatch(serverJoin);
      expect(rule.annotations!.summary, t.alert).toContain('{{ with $labels.server_name }}');
      expect(rule.annotations!.description, t.alert).toContain('{{ with $labels.server_name }}');
      expect(rule.annotations!.description, t.alert).toMatch(/clouddc_server_health_state\{account=%q, project_id=%q, server_id=%q\} == 1/);
    }
    // The promtool cases hold a per-export alert with the server's labels and one (with discovery on) without.
    const tests = (
      parse(readFileSync(ALERTS_TEST_FILE, 'utf8')) as {
        tests: Array<{
          input_series: Array<{ series: string }>;
          alert_rule_test?: Array<{ alertname: string; exp_alerts?: Array<{ exp_labels: Record<string, string> }> }>;
        }>;
      }
    ).tests;
    const discovered = tests.filter((c) => c.input_series.some((s) => s.series.startsWith('clouddc_server_info')));
    const alerts = discovered.flatMap((c) => c.alert_rule_test ?? []).filter((c) => EXPORT_RULES.some((t) => t.alert === c.alertname));
    const labels = alerts.flatMap((c) => (c.exp_alerts ?? []).map((a) => a.exp_labels));
    expect(labels.some((l) => l.server_name !== undefined && l.rack !== undefined)).toBe(true);
    expect(labels.some((l) => l.server_name === undefined)).toBe(true);
  });

  it('has a firing and a silent promtool test case for every alert', () => {
    interface Case {
      alertname: string;
      exp_alerts?: unknown[];
    }
    const tests = (parse(readFileSync(ALERTS_TEST_FILE, 'utf8')) as { tests: Array<{ alert_rule_test?: Case[] }> }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} never expected to fire`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} never expected to stay silent`,
      ).toBe(true);
    }
    for (const c of cases) expect(rules.map((r) => r.alert)).toContain(c.alertname);
  });

  // Needs the runbook sections in docs/runbooks.md (one "## Heading" per anchor).
  it('links every runbook_url to a heading of docs/runbooks.md', () => {
    const runbooks = readFileSync(RUNBOOKS_FILE, 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slugify(m[1]!)));
    const missing = [...new Set(rules.map((r) => r.annotations!.runbook_url!.slice(RUNBOOK_BASE.length)))].filter((a) => !anchors.has(a));
    expect(missing, `docs/runbooks.md has no heading for: ${missing.join(', ')}`).toEqual([]);
  });
});
