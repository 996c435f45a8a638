#!/usr/bin/env node
// Checks what one credentials.method renders (run by .ci/helm.sh for every method and mode):
//
//   node test/helm/credentials-check.mjs --tools .ci/tools --method oidc --mode env rendered.yaml
//
// - the exporter config's `auth` block of every account without its own is exactly the method's (contract of
//   issue 23: aksk, token, password, pod_identity, oidc, metadata);
// - a Secret (and env vars from it, or the `credentials` volume in file mode) only for the methods that take
//   secret values; none for the agency ways, and never an HC_CONTAINER_* variable (CCE injects those);
// - oidc: a projected service-account token with the configured audience, lifetime and path, mounted read-only
//   where auth.id_token_file points; no other method projects a token;
// - metadata: with an egress NetworkPolicy, 169.254.169.254:80 is open (and only then).
// Only rendered YAML is read here; .ci/helm.sh runs --config.check (which connects to nothing) on renders whose
// metadata endpoint is a loopback address.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  options: {
    tools: { type: 'string', default: '.ci/tools' },
    method: { type: 'string' },
    mode: { type: 'string', default: 'env' },
    // What credentials.metadata.endpoint is set to ('' : the default, 169.254.169.254).
    'metadata-endpoint': { type: 'string', default: 'http://127.0.0.1:9' },
  },
  allowPositionals: true,
});
const YAML = await import(pathToFileURL(join(resolve(opts.tools, 'node_modules'), 'yaml/dist/index.js')).href);
const objs = YAML.parseAllDocuments(readFileSync(positionals[0], 'utf8'))
  .map((d) => d.toJS())
  .filter(Boolean);
const bad = [];
/** JSON with object keys sorted: Helm writes maps in key order. */
const canon = (v) =>
  JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
const eq = (what, got, want) => {
  if (canon(got) !== canon(want)) bad.push(`${what}: got ${canon(got)}, want ${canon(want)}`);
};

const workload = objs.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const pod = workload.spec.template.spec;
const c = pod.containers[0];
const configMap = objs.find((o) => o.kind === 'ConfigMap' && typeof o.data?.['config.yaml'] === 'string');
const config = YAML.parse(configMap.data['config.yaml']);
const secrets = objs.filter((o) => o.kind === 'Secret' && !o.metadata.name.endsWith('-web-config'));
const fromSecret = (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.name, m]));
const tokenPath = '/var/run/secrets/clouddc-exporter/oidc/token';
const secretsDir = '/etc/clouddc-exporter/secrets';
const file = opts.mode === 'file';

const want = {
  token: file ? { token_file: `${secretsDir}/token` } : { token: '${CLOUDDC_TOKEN}' },
  aksk: { access_key: '${HUAWEICLOUD_SDK_AK}', ...(file ? { secret_key_file: `${secretsDir}/secret-key` } : { secret_key: '${HUAWEICLOUD_SDK_SK}' }) },
  password: { user_name: 'exporter', domain_name: 'example-domain', ...(file ? { password_file: `${secretsDir}/password` } : { password: '${CLOUDDC_PASSWORD}' }) },
  pod_identity: { pod_identity: true },
  oidc: { idp_id: 'ci-idp', id_token_file: tokenPath, domain_id: 'ci-domain', duration: '6h' },
  metadata: { instance_metadata: true, ...(opts['metadata-endpoint'] && { metadata_endpoint: opts['metadata-endpoint'] }) },
}[opts.method];
if (want === undefined) throw new Error(`unknown --method ${opts.method}`);
for (const [name, account] of Object.entries(config.accounts)) {
  if (name === 'own') eq(`accounts.own.auth (its own, left alone)`, account.auth, { token: '${OWN_TOKEN}' });
  else eq(`accounts.${name}.auth`, account.auth, want);
}

const secretEnv = { token: ['CLOUDDC_TOKEN'], aksk: ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'], password: ['CLOUDDC_PASSWORD'] }[opts.method] ?? [];
const usesSecret = secretEnv.length > 0;
eq('Secrets rendered', secrets.length, usesSecret ? 1 : 0);
// In file mode only the access key (not secret) stays an environment variable.
eq('env from the Secret', fromSecret, file ? secretEnv.filter((n) => n === 'HUAWEICLOUD_SDK_AK') : secretEnv);
eq('credentials volume', volumes.has('credentials') && mounts.has('credentials'), usesSecret && file);
if ((c.env ?? []).some((e) => e.name.startsWith('HC_CONTAINER_'))) bad.push('the chart sets an HC_CONTAINER_* variable: CCE injects those');

const projected = [...volumes.values()].flatMap((v) => (v.projected?.sources ?? []).filter((s) => s.serviceAccountToken).map((s) => [v.name, s.serviceAccountToken]));
if (opts.method === 'oidc') {
  eq('projected token', projected, [['oidc-token', { audience: 'ci-audience', expirationSeconds: 1800, path: 'token' }]]);
  eq('oidc-token mount', mounts.get('oidc-token'), { name: 'oidc-token', mountPath: '/var/run/secrets/clouddc-exporter/oidc', readOnly: true });
} else {
  eq('projected tokens', projected, []);
}

const np = objs.find((o) => o.kind === 'NetworkPolicy');
const metadataRule = (np?.spec.egress ?? []).some((r) => (r.to ?? []).some((t) => t.ipBlock?.cidr === '169.254.169.254/32'));
eq('egress to the metadata service', metadataRule, opts.method === 'metadata' && !opts['metadata-endpoint'] && (np?.spec.policyTypes ?? []).includes('Egress'));

if (bad.length) {
  console.error(`FAIL credentials.method=${opts.method} mode=${opts.mode}:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`ok: credentials.method=${opts.method} mode=${opts.mode}: auth block, Secret, env, volumes`);
