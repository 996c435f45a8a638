// Holds the chart to the generator: the PrometheusRule and dashboard the chart renders from a values file must
// equal what monitoring/ (built into build/monitoring by npm run build:harness) generates from the same settings. Run by .ci/helm.sh.
//   node test/helm/monitoring-parity.mjs <values.yaml> <rendered rules-*.yml> [<rendered dashboard-*.json>]
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import { DEFAULT_DASHBOARD, DEFAULT_RULES } from '../../build/monitoring/config.js';
import { dashboardJson } from '../../build/monitoring/dashboard/json.js';
import { renderRules } from '../../build/monitoring/rules/render.js';

const [valuesFile, rulesFile, dashboardFile] = process.argv.slice(2);
const chartDefaults = YAML.parse(readFileSync('helm/clouddc-exporter/values.yaml', 'utf8'));
const values = YAML.parse(readFileSync(valuesFile, 'utf8')) ?? {};
const pr = { ...chartDefaults.prometheusRule, ...values.prometheusRule };
const name = values.nameOverride || 'clouddc-exporter';

// The same keys on both sides; only the selector's default differs (the chart derives it from the release).
const rulesConfig = Object.fromEntries(Object.keys(DEFAULT_RULES).map((k) => [k, pr[k]]));
rulesConfig.selector = pr.selector || `job="${name}"`;
const want = [...renderRules(rulesConfig).map((r) => r.rule), ...rulesConfig.additionalRules];
const got = YAML.parse(readFileSync(rulesFile, 'utf8')).groups[0].rules;
let failed = false;
if (!isDeepStrictEqual(got, want)) {
  console.error(`FAIL: ${rulesFile} differs from monitoring/ with the same settings\nchart:\n${YAML.stringify(got)}\nmonitoring/:\n${YAML.stringify(want)}`);
  failed = true;
}
if (dashboardFile) {
  const d = { ...chartDefaults.dashboard, ...values.dashboard };
  const config = { ...DEFAULT_DASHBOARD, ...Object.fromEntries(Object.keys(DEFAULT_DASHBOARD).map((k) => [k, d[k]])) };
  if (!isDeepStrictEqual(JSON.parse(readFileSync(dashboardFile, 'utf8')), JSON.parse(dashboardJson(config)))) {
    console.error(`FAIL: ${dashboardFile} differs from monitoring/ with the same settings`);
    failed = true;
  }
}
if (failed) process.exit(1);
console.log(`ok: ${rulesFile}${dashboardFile ? ` and ${dashboardFile}` : ''} equal monitoring/'s output for ${valuesFile}`);
