// Cross-checks and extraction for a protected exporter (webConfig), used by validate.mjs:
//   - the workload's --web.config.file is a file of a rendered Secret the pod mounts; it is written out with the
//     mount paths it names moved under the local mounts directory, for `--config.check --web.config.file`;
//   - the ServiceMonitor's scheme matches what the web config serves, and its basicAuth / tlsConfig Secret
//     references name keys of the Secrets the release renders (when it renders them);
//   - scrape.json: what Prometheus will use to scrape (scheme, server name, user name and password resolved from
//     a rendered Secret), so that .ci/helm.sh can scrape a real exporter exactly that way;
//   - a NetworkPolicy selects the pods and opens a port the exporter container declares.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Secret name -> { key -> decoded string } for every rendered Secret. */
export function secretValues(secrets) {
  const out = new Map();
  for (const s of secrets) {
    const values = {};
    for (const [k, v] of Object.entries(s.data ?? {})) values[k] = Buffer.from(String(v), 'base64').toString('utf8');
    for (const [k, v] of Object.entries(s.stringData ?? {})) values[k] = String(v);
    out.set(s.metadata.name, values);
  }
  return out;
}

/**
 * Writes DIR/web-config.yml (paths rewritten to `local(mountPath)`) when the container has --web.config.file.
 * Returns the web config text (original paths), or undefined.
 */
export function extractWebConfig({ container, volumes, secrets, fail, id, out, local, YAML }) {
  const file = (container.args ?? []).find((a) => a.startsWith('--web.config.file='))?.slice('--web.config.file='.length);
  if (!file) return undefined;
  // The deepest mount holding the file: the web config's directory is mounted inside the config's.
  const mount = (container.volumeMounts ?? [])
    .filter((m) => file.startsWith(`${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const secretName = mount && volumes.get(mount.name)?.secret?.secretName;
  const text = secretName && secrets.get(secretName)?.[file.slice(mount.mountPath.length + 1)];
  if (typeof text !== 'string') {
    fail(id, `--web.config.file=${file} is not a key of a rendered Secret mounted by the pod`);
    return undefined;
  }
  const parsed = YAML.parse(text);
  let rewritten = text;
  for (const m of container.volumeMounts ?? []) {
    if (volumes.get(m.name)?.secret) rewritten = rewritten.split(`${m.mountPath}/`).join(`${local(m.mountPath)}/`);
  }
  for (const key of ['cert_file', 'key_file', 'client_ca_file']) {
    const path = parsed?.tls_server_config?.[key];
    if (path && !(container.volumeMounts ?? []).some((m) => path.startsWith(`${m.mountPath}/`))) {
      fail(id, `web config ${key} ${path} is not inside a volume the container mounts`);
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'web-config.yml'), rewritten);
  return parsed;
}

/** ServiceMonitor endpoint checks against the web config; returns scrape.json's content for the first endpoint. */
export function checkScrape({ sm, web, secrets, fail }) {
  const id = `ServiceMonitor/${sm.metadata.name}`;
  const ep = sm.spec.endpoints?.[0];
  if (!ep) return undefined;
  const served = web?.tls_server_config ? 'https' : 'http';
  if ((ep.scheme ?? 'http') !== served) fail(id, `scheme ${ep.scheme ?? 'http'}, but the exporter serves ${served}`);
  const users = Object.keys(web?.basic_auth_users ?? {});
  if (users.length > 0 && !ep.basicAuth) fail(id, 'the exporter requires basic auth, but the endpoint has no basicAuth');
  const resolveRef = (ref, what) => {
    if (!ref) return undefined;
    const values = secrets.get(ref.name);
    if (!values) return undefined; // a Secret made outside the release
    if (!(ref.key in values)) fail(id, `${what}: Secret ${ref.name} has no key ${ref.key}`);
    return values[ref.key];
  };
  const username = resolveRef(ep.basicAuth?.username, 'basicAuth.username');
  const password = resolveRef(ep.basicAuth?.password, 'basicAuth.password');
  resolveRef(ep.tlsConfig?.ca?.secret, 'tlsConfig.ca');
  if (username !== undefined && users.length > 0 && !users.includes(username)) {
    fail(id, `basicAuth user "${username}" is not one of the web config's basic_auth_users`);
  }
  return {
    scheme: ep.scheme ?? 'http',
    path: ep.path ?? '/metrics',
    serverName: ep.tlsConfig?.serverName,
    caFromSecret: ep.tlsConfig?.ca?.secret,
    insecureSkipVerify: ep.tlsConfig?.insecureSkipVerify === true,
    username,
    password,
  };
}

/** A NetworkPolicy must select the exporter's pods and open a port its container declares. */
export function checkNetworkPolicy({ np, podLabels, container, fail }) {
  const id = `NetworkPolicy/${np.metadata.name}`;
  const selector = np.spec.podSelector?.matchLabels ?? {};
  if (!Object.entries(selector).every(([k, v]) => podLabels[k] === v)) fail(id, 'podSelector does not match the pods');
  const names = new Set((container.ports ?? []).map((p) => p.name));
  const numbers = new Set((container.ports ?? []).map((p) => p.containerPort));
  const opens = (np.spec.ingress ?? []).some((rule) =>
    (rule.ports ?? []).some((p) => (typeof p.port === 'string' ? names.has(p.port) : numbers.has(p.port))),
  );
  if (!opens) fail(id, "no ingress rule opens the exporter's port");
}

export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
