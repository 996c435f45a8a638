import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../monitoring/config.js';
import { alertsYaml } from '../../monitoring/rules/yaml.js';
import { requireTool } from '../support/tools.js';
import { promtoolTest } from './promtool.js';
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
});
