#!/usr/bin/env node
// The `job` label the chart's ServiceMonitor gives the exporter, and whether the chart's alert rules select it.
//
//   node test/helm/job-check.mjs --tools .ci/tools/helm --expect-job dc-exp rendered.yaml
//
// prometheus-operator sets job to the value of the Service label named by the ServiceMonitor's jobLabel, or to
// the Service's name when the Service has no such label. That job must be --expect-job (e.g. the nameOverride),
// and every job matcher (job="..", job=~"..", job!="..", job!~"..") in every rendered PrometheusRule expression
// must accept it: otherwise the "exporter absent" alert fires while the exporter is up and "down" never fires.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  options: { tools: { type: 'string', default: '.ci/tools/helm' }, 'expect-job': { type: 'string' } },
  allowPositionals: true,
});
const YAML = await import(pathToFileURL(join(resolve(opts.tools, 'node_modules'), 'yaml/dist/index.js')).href);
const objects = YAML.parseAllDocuments(readFileSync(positionals[0], 'utf8'))
  .map((d) => d.toJS())
  .filter(Boolean);

const problems = [];
const sm = objects.find((o) => o.kind === 'ServiceMonitor');
if (!sm) {
  console.error('FAIL no ServiceMonitor rendered');
  process.exit(1);
}
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const service = objects.find((o) => o.kind === 'Service' && matches(sm.spec.selector?.matchLabels, o.metadata.labels));
const jobLabel = sm.spec.jobLabel;
const job = (jobLabel && service?.metadata.labels?.[jobLabel]) || service?.metadata.name;
if (opts['expect-job'] && job !== opts['expect-job']) problems.push(`the ServiceMonitor gives job="${job}", expected "${opts['expect-job']}"`);

/** A PromQL label matcher on job accepts `value`. Regex matchers are fully anchored, as in PromQL. */
function accepts(op, pattern, value) {
  const full = new RegExp(`^(?:${pattern})$`);
  return op === '=' ? value === pattern : op === '!=' ? value !== pattern : op === '=~' ? full.test(value) : !full.test(value);
}

let matchers = 0;
for (const rule of objects.filter((o) => o.kind === 'PrometheusRule')) {
  for (const group of rule.spec.groups ?? []) {
    for (const r of group.rules ?? []) {
      const expr = String(r.expr ?? '');
      for (const m of expr.matchAll(/\bjob\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
        matchers++;
        const pattern = m[2].replace(/\\(.)/g, '$1');
        if (!accepts(m[1], pattern, job)) {
          problems.push(`${r.alert ?? r.record}: job${m[1]}"${m[2]}" does not select job="${job}" (the ServiceMonitor's job)`);
        }
      }
    }
  }
}
const ruleCount = objects.filter((o) => o.kind === 'PrometheusRule').length;
if (ruleCount > 0 && matchers === 0) problems.push('the PrometheusRule has no job matcher at all: the exporter alerts cannot tell this exporter from others');

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`job="${job}" (Service label ${jobLabel}); ${matchers} job matcher(s) in ${ruleCount} PrometheusRule(s) select it`);
