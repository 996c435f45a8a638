#!/usr/bin/env node
// Validates `helm template` output offline, and extracts what the other checks of .ci/helm.sh need.
//
//   node test/helm/validate.mjs --tools .ci/tools --out DIR rendered.yaml
//
// For every rendered object:
//   1. schema: kubernetes-models (core/apps/policy, ~k8s 1.33 OpenAPI) or @kubernetes-models/prometheus-operator
//      (ServiceMonitor, PrometheusRule): types, required fields, enums, patterns. A kind with no model fails.
//   2. unknown fields: the models' compiled validators read every property their schema defines, so the
//      validator runs on a Proxy that records which properties it read; a key it never read on an object whose
//      keys it never enumerated (maps such as labels are enumerated) is a field the schema does not have.
//      A self-test on a synthetic Deployment proves the trick still catches misspellings before anything else.
//   3. consistency: Service selectors match the pod labels, ServiceMonitor selects a rendered Service and a
//      named port, the StatefulSet's serviceName is a rendered headless Service, secretKeyRefs and volume
//      items point at keys of rendered Secrets/ConfigMaps, probes use a declared port, names fit DNS rules.
// Extracted into DIR:
//   rules-<name>.yml       each PrometheusRule's spec (a plain rules file, for promtool check rules)
//   dashboard-<name>.json  each dashboard ConfigMap's JSON (parsed here)
//   exporter/config.yaml   the config the workload mounts, with mounted Secret paths moved under exporter/mounts
//   exporter/mounts/...    a dummy file for every mounted Secret item and projected service-account token
//   exporter/env.list      NAME=VALUE for every container env var (valueFrom ones get a dummy value)
//   exporter/web-config.yml  the --web.config.file from its rendered Secret, mount paths moved as above
//   scrape.json            how the ServiceMonitor scrapes: scheme, server name, basic-auth credentials
// web-extract.mjs also checks the ServiceMonitor against the web config and NetworkPolicies against the pods.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkNetworkPolicy, checkScrape, extractWebConfig, secretValues, writeJson } from './web-extract.mjs';

const { values: opts, positionals } = parseArgs({
  options: { tools: { type: 'string', default: '.ci/tools' }, out: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  console.error('usage: validate.mjs [--tools DIR] [--out DIR] rendered.yaml');
  process.exit(2);
}
const modules = resolve(opts.tools, 'node_modules');
const YAML = await import(pathToFileURL(join(modules, 'yaml/dist/index.js')).href);

const problems = [];
const fail = (where, message) => problems.push(`${where}: ${message}`);

/** The model class of apiVersion/kind, or undefined when no package has one. */
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const file =
    group === 'monitoring.coreos.com'
      ? join(modules, '@kubernetes-models/prometheus-operator', group, version, `${kind}.js`)
      : join(modules, 'kubernetes-models', group, version, `${kind}.mjs`);
  if (!/^[A-Za-z0-9.]*$/.test(group) || !/^\w+$/.test(version) || !/^\w+$/.test(kind) || !existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href))[kind];
}

/** Runs the model's validator on a recording proxy of `obj`; returns schema errors and unknown field paths. */
function validateTracked(Model, obj) {
  const seen = new Map(); // target -> { path, read: Set, enumerated }
  const proxies = new Map();
  const wrap = (value, path) => {
    if (value === null || typeof value !== 'object') return value;
    if (proxies.has(value)) return proxies.get(value);
    const info = { path, read: new Set(), enumerated: false };
    seen.set(value, info);
    const proxy = new Proxy(value, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string') return Reflect.get(target, prop, receiver);
        info.read.add(prop);
        const child = Reflect.get(target, prop, receiver);
        return Object.hasOwn(target, prop) ? wrap(child, `${path}/${prop}`) : child;
      },
      has(target, prop) {
        if (typeof prop === 'string') info.read.add(prop);
        return Reflect.has(target, prop);
      },
      getOwnPropertyDescriptor(target, prop) {
        if (typeof prop === 'string') info.read.add(prop);
        return Reflect.getOwnPropertyDescriptor(target, prop);
      },
      ownKeys(target) {
        info.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  let schemaError;
  try {
    Model.prototype.validate.call(wrap(obj, ''));
  } catch (err) {
    schemaError = err.message;
  }
  const unknown = [];
  for (const [target, info] of seen) {
    if (Array.isArray(target) || info.enumerated) continue;
    for (const key of Object.keys(target)) if (!info.read.has(key)) unknown.push(`${info.path}/${key}`);
  }
  return { schemaError, unknown };
}

async function selfTest() {
  const Deployment = await modelFor('apps/v1', 'Deployment');
  const good = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', labels: { a: 'b' } },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  const clean = validateTracked(Deployment, good);
  const bad = structuredClone(good);
  bad.spec.replicaz = 3;
  bad.spec.template.spec.containers[0].imagePullPolcy = 'Always';
  const typo = validateTracked(Deployment, bad);
  const wrongType = validateTracked(Deployment, { ...good, spec: { ...good.spec, replicas: '3' } });
  const ok =
    clean.schemaError === undefined &&
    clean.unknown.length === 0 &&
    typo.unknown.join() === '/spec/replicaz,/spec/template/spec/containers/0/imagePullPolcy' &&
    /replicas must be integer/.test(wrongType.schemaError ?? '');
  if (!ok) {
    console.error('validator self-test failed:', JSON.stringify({ clean, typo, wrongType }));
    process.exit(1);
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

await selfTest();

const text = readFileSync(positionals[0], 'utf8');
const docs = YAML.parseAllDocuments(text);
const objects = [];
for (const doc of docs) {
  if (doc.errors.length > 0) {
    fail('yaml', doc.errors.map((e) => e.message).join('; '));
    continue;
  }
  const obj = doc.toJS();
  if (obj === null || obj === undefined) continue;
  objects.push(obj);
}
if (objects.length === 0) fail('output', 'no objects rendered');

// 1 + 2: schema and unknown fields.
for (const obj of objects) {
  const id = `${obj?.kind}/${obj?.metadata?.name}`;
  if (typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    fail(id, 'not a Kubernetes object (apiVersion and kind required)');
    continue;
  }
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    fail(id, `unknown kind ${obj.apiVersion} ${obj.kind} (no schema to validate it against)`);
    continue;
  }
  const { schemaError, unknown } = validateTracked(Model, obj);
  if (schemaError) fail(id, schemaError);
  for (const path of unknown) fail(id, `unknown field ${path}`);
  const name = obj.metadata?.name ?? '';
  const isService = obj.kind === 'Service';
  if (!(isService ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253)) {
    fail(id, `invalid metadata.name "${name}"`);
  }
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) fail(id, `invalid label value ${k}=${v}`);
  }
  if (!schemaError && unknown.length === 0) console.log(`ok ${obj.apiVersion} ${id}`);
}

// 3: consistency between the rendered objects.
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const secrets = new Map(byKind('Secret').map((s) => [s.metadata.name, new Set(Object.keys({ ...s.data, ...s.stringData }))]));
const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, c]));
const services = byKind('Service');
const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')];
if (workloads.length !== 1) fail('output', `expected exactly one Deployment or StatefulSet, got ${workloads.length}`);
const secretData = secretValues(byKind('Secret'));
let webConfig;

for (const w of workloads) {
  const id = `${w.kind}/${w.metadata.name}`;
  const pod = w.spec.template;
  const podLabels = pod.metadata?.labels ?? {};
  if (!matches(w.spec.selector?.matchLabels, podLabels)) fail(id, 'selector does not match the pod labels');
  for (const s of services) {
    if (!matches(s.spec.selector, podLabels)) fail(`Service/${s.metadata.name}`, 'selector does not match the pods');
  }
  if (w.kind === 'StatefulSet') {
    const headless = services.find((s) => s.metadata.name === w.spec.serviceName);
    if (!headless || headless.spec.clusterIP !== 'None') fail(id, `serviceName ${w.spec.serviceName} is not a rendered headless Service`);
  }
  const claimNames = new Set((w.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name));
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  for (const c of pod.spec.containers) {
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === 'string' && !ports.has(port)) fail(id, `${probe} uses undeclared port ${port}`);
    }
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name) && !claimNames.has(m.name)) fail(id, `volumeMount ${m.name} has no volume`);
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && secrets.has(ref.name) && !secrets.get(ref.name).has(ref.key)) fail(id, `env ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
    }
  }
  for (const v of volumes.values()) {
    const src = v.secret ? secrets.get(v.secret.secretName) : v.configMap ? configMaps.get(v.configMap.name) : undefined;
    const keys = v.secret ? src : src && new Set(Object.keys(src.data ?? {}));
    for (const item of (v.secret ?? v.configMap)?.items ?? []) {
      if (keys && !keys.has(item.key)) fail(id, `volume ${v.name}: no key ${item.key} in its ${v.secret ? 'Secret' : 'ConfigMap'}`);
    }
    if (v.configMap && !src && !v.configMap.optional) fail(id, `volume ${v.name}: ConfigMap ${v.configMap.name} is not rendered`);
  }

  // Extraction for `--config.check`.
  if (opts.out) {
    const out = resolve(opts.out, 'exporter');
    mkdirSync(out, { recursive: true });
    const c = pod.spec.containers[0];
    const configFile = (c.args ?? []).find((a) => a.startsWith('--config.file='))?.slice('--config.file='.length);
    const mount = configFile && (c.volumeMounts ?? []).find((m) => configFile.startsWith(`${m.mountPath}/`));
    const cm = mount && configMaps.get(volumes.get(mount.name)?.configMap?.name);
    const key = configFile && mount && configFile.slice(mount.mountPath.length + 1);
    if (!cm || typeof cm.data?.[key] !== 'string') {
      fail(id, `--config.file=${configFile} is not a key of a rendered ConfigMap mounted by the pod`);
    } else {
      let config = cm.data[key];
      for (const m of c.volumeMounts ?? []) {
        const volume = volumes.get(m.name);
        // Secret items, and the service-account tokens the kubelet projects (OIDC), become dummy files.
        const tokens = (volume?.projected?.sources ?? []).flatMap((s) => (s.serviceAccountToken ? [{ key: 'serviceaccount-token', path: s.serviceAccountToken.path }] : []));
        if (!volume?.secret && tokens.length === 0) continue;
        const local = join(out, 'mounts', m.mountPath);
        for (const item of volume.secret?.items ?? tokens) {
          mkdirSync(dirname(join(local, item.path)), { recursive: true });
          writeFileSync(join(local, item.path), `dummy-${item.key}\n`, { mode: 0o600 });
        }
        config = config.split(`${m.mountPath}/`).join(`${local}/`);
      }
      writeFileSync(join(out, 'config.yaml'), config);
    }
    const env = (c.env ?? []).map((e) => `${e.name}=${e.value ?? `dummy-${e.name.toLowerCase()}`}`);
    writeFileSync(join(out, 'env.list'), env.map((l) => l.replace(/\n/g, ' ')).join('\n') + (env.length ? '\n' : ''));
    const local = (mountPath) => join(out, 'mounts', mountPath);
    webConfig = extractWebConfig({ container: c, volumes, secrets: secretData, fail, id, out, local, YAML });
  }
  for (const np of byKind('NetworkPolicy')) checkNetworkPolicy({ np, podLabels, container: pod.spec.containers[0], fail });
}

for (const sm of byKind('ServiceMonitor')) {
  const id = `ServiceMonitor/${sm.metadata.name}`;
  const selected = services.filter((s) => matches(sm.spec.selector?.matchLabels, s.metadata.labels));
  if (selected.length !== 1) fail(id, `selects ${selected.length} rendered Services (want exactly 1)`);
  for (const ep of sm.spec.endpoints ?? []) {
    if (selected[0] && !selected[0].spec.ports.some((p) => p.name === ep.port)) fail(id, `endpoint port ${ep.port} is not a Service port name`);
    const secs = (d) => Number(/^(\d+)s$/.exec(d ?? '')?.[1] ?? /^(\d+)m$/.exec(d ?? '')?.[1] * 60);
    if (secs(ep.scrapeTimeout) > secs(ep.interval)) fail(id, `scrapeTimeout ${ep.scrapeTimeout} exceeds interval ${ep.interval}`);
  }
  const scrape = checkScrape({ sm, web: webConfig, secrets: secretData, fail });
  if (opts.out && scrape) writeJson(join(resolve(opts.out), 'scrape.json'), { ...scrape, jobLabel: sm.spec.jobLabel });
}

if (opts.out) {
  mkdirSync(opts.out, { recursive: true });
  for (const rule of byKind('PrometheusRule')) {
    writeFileSync(join(opts.out, `rules-${rule.metadata.name}.yml`), YAML.stringify(rule.spec));
  }
  for (const cm of configMaps.values()) {
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      if (!key.endsWith('.json')) continue;
      try {
        JSON.parse(value);
        writeFileSync(join(opts.out, `dashboard-${cm.metadata.name}.json`), value);
      } catch (err) {
        fail(`ConfigMap/${cm.metadata.name}`, `${key} is not valid JSON: ${err.message}`);
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`all ${objects.length} objects valid`);
