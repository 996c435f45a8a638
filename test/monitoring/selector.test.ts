import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../monitoring/config.js';
import { alertsYaml } from '../../monitoring/rules/yaml.js';
import { requireTool } from '../support/tools.js';
import { firing, promtoolTest } from './promtool.js';
import { ALERTS_FILE } from './rules.js';

const hasPromtool = requireTool('promtool');
const NAME_OVERRIDE_TESTS = fileURLToPath(new URL('./name-override_test.yml', import.meta.url));
const tests = (parse(readFileSync(NAME_OVERRIDE_TESTS, 'utf8')) as { tests: unknown[] }).tests;

describe.skipIf(!hasPromtool)('exporter alerts under a job label other than clouddc-exporter (promtool)', () => {
  it('fire when the exporter is down or gone and stay quiet while it is up, with selector job="my-exporter"', () => {
    const rules = alertsYaml({ ...DEFAULT_RULES, selector: 'job="my-exporter"' });
    const r = promtoolTest(rules, tests, '1m');
    expect(r.status, r.output).toBe(0);
  });

  it('needed the selector: the shipped default finds no job named my-exporter', () => {
    // The default job=~".*clouddc-exporter.*" sees "other-clouddc-exporter" instead: these tests must fail.
    const r = promtoolTest(readFileSync(ALERTS_FILE, 'utf8'), tests, '1m');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('CloudDCExporterAbsent');
  });

  it('restricts every rule with extra matchers, e.g. cluster="prod"', () => {
    const rules = alertsYaml({ ...DEFAULT_RULES, selector: 'job="my-exporter"', extraMatchers: ['cluster="prod"'] });
    const withCluster = JSON.parse(
      JSON.stringify(tests)
        .replaceAll('job=\\"my-exporter\\"', 'job=\\"my-exporter\\",cluster=\\"prod\\"')
        .replaceAll('"job":"my-exporter"', '"job":"my-exporter","cluster":"prod"'),
    );
    expect(promtoolTest(rules, withCluster, '1m').status).toBe(0);
    // The same series without the cluster label are not this rule set's business.
    const other = promtoolTest(rules, tests, '1m');
    expect(other.status).not.toBe(0);
  });

  it('keeps groupLabels in every aggregation and join, so two clusters whose exporters share job and instance stay apart', () => {
    const job = 'job="my-exporter"';
    const series = (cluster: string, code: string, perMinute: number) => ({
      series: `clouddc_api_requests_total{${job},cluster="${cluster}",instance="10.0.0.7:9877",account="main",code="${code}"}`,
      values: `0+${perMinute}x60`,
    });
    // Cluster a is throttled (half its requests answered 429); cluster b is not.
    const input = [series('a', '200', 60), series('a', '429', 60), series('b', '200', 600)];
    const scenario = (want: Array<Record<string, string>>) => [
      { interval: '1m', input_series: input, promql_expr_test: [firing('CloudDCApiThrottled', '40m', want)] },
    ];
    const alert = { severity: 'warning', job: 'my-exporter', instance: '10.0.0.7:9877', account: 'main' };
    const grouped = alertsYaml({ ...DEFAULT_RULES, selector: job, groupLabels: ['cluster'] });
    const r = promtoolTest(grouped, scenario([{ ...alert, cluster: 'a' }]), '1m');
    expect(r.status, r.output).toBe(0);
    // Without it the two clusters' requests are summed into one series: 1/12 answered 429, under the 10 % threshold.
    const plain = alertsYaml({ ...DEFAULT_RULES, selector: job });
    const quiet = promtoolTest(plain, scenario([]), '1m');
    expect(quiet.status, quiet.output).toBe(0);
    // And every `by (…)` and `on(…)` of every rule names it first.
    const exprs = (parse(grouped) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups[0]!.rules.map((rule) => rule.expr).join('\n');
    const clauses = [...exprs.matchAll(/\b(?:by|on) ?\(([^)]*)\)/g)].map((m) => m[1]!);
    expect(clauses.length).toBeGreaterThanOrEqual(9);
    for (const c of clauses) expect(c.startsWith('cluster, ')).toBe(true);
  });

  it('refuses a groupLabels entry that is not a label name', () => {
    expect(() => alertsYaml({ ...DEFAULT_RULES, groupLabels: ['cluster="prod"'] })).toThrow(/not a label name/);
  });
});
