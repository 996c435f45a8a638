import { copyFileSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { loadWebConfigFile, type WebConfig } from '../../src/web/config.js';
import { account, config } from '../support/config.js';
import { success, target } from '../support/factories.js';
import { runCli } from '../support/cli.js';
import { fingerprint, selfSigned, signedBy, tempDir, type Pair } from './tls-fixtures.js';

/** The exporter behind a web config, over real TLS handshakes with throwaway certificates. */

const PASSWORD = 'correct horse battery staple';
const HASH = bcrypt.hashSync(PASSWORD, 4);

let running: Running | undefined;
afterEach(async () => {
  await running?.stop(100);
  running = undefined;
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly fingerprint: string;
  readonly protocol: string | null;
}

interface GetOptions {
  readonly auth?: string;
  /** Trusted CA (the server's self-signed certificate); none: the certificate is not verified. */
  readonly ca?: string;
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly client?: Pair;
}

/** One GET on a new connection (no agent, no keep-alive), so every request is a fresh handshake. */
function get(url: string, opts: GetOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        ...(opts.ca ? { ca: readFileSync(opts.ca) } : { rejectUnauthorized: false }),
        ...(opts.maxVersion && { maxVersion: opts.maxVersion }),
        ...(opts.client && { cert: readFileSync(opts.client.cert), key: readFileSync(opts.client.key) }),
        headers: opts.auth ? { Authorization: opts.auth } : {},
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint: peer.fingerprint256, protocol }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function webFile(dir: string, text: string): string {
  const file = join(dir, 'web.yml');
  writeFileSync(file, text);
  return file;
}

async function load(file: string): Promise<WebConfig> {
  const r = await loadWebConfigFile(file);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.value;
}

async function start(web: WebConfig, logger = pino({ level: 'silent' })): Promise<Running> {
  running = await startExporter({
    config: config([account('http://127.0.0.1:9')], [target({ serverId: 'srv-1' })]),
    logger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: false,
    web,
    makeSource: () => ({ fetchStatus: async () => success(), close: async () => undefined }),
  });
  await running.exporter.runner.idle();
  return running;
}

/** A TLS server asking for client certificates from a test CA, a client signed by it and a stranger who is not. */
async function withClientCa(clientAuthType: 'RequireAndVerifyClientCert' | 'VerifyClientCertIfGiven') {
  const dir = tempDir();
  selfSigned(dir, 'server');
  const ca = selfSigned(dir, 'client-ca', 'Test client CA');
  const client = signedBy(dir, 'client', ca, 'prometheus');
  const stranger = selfSigned(dir, 'stranger', 'stranger');
  const r = await start(
    await load(
      webFile(dir, `tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: ${clientAuthType}, client_ca_file: client-ca.crt}\n`),
    ),
  );
  return { r, client, stranger };
}

describe('web config: TLS and basic auth', () => {
  it('asks for credentials, refuses wrong ones, serves the right ones, leaves the probes open', async () => {
    const dir = tempDir();
    const server = selfSigned(dir, 'server');
    const file = webFile(
      dir,
      `tls_server_config: {cert_file: server.crt, key_file: server.key}
basic_auth_users:
  prometheus: ${HASH}
http_server_config:
  headers: {X-Frame-Options: deny}
`,
    );
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    const r = await start(await load(file), logger);
    expect(r.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const opts = { ca: server.cert };

    const none = await get(`${r.url}/metrics`, opts);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="clouddc-exporter"/);
    expect(none.headers['x-frame-options']).toBe('deny');
    expect(none.body).not.toContain('clouddc_');

    const wrong = await get(`${r.url}/metrics`, { ...opts, auth: basic('prometheus', 'wrong password') });
    expect(wrong.status).toBe(401);
    expect((await get(`${r.url}/api/v1/exports`, { ...opts, auth: basic('nobody', PASSWORD) })).status).toBe(401);

    const right = await get(`${r.url}/metrics`, { ...opts, auth: basic('prometheus', PASSWORD) });
    expect(right.status).toBe(200);
    expect(right.body).toContain('clouddc_log_export_info{');
    expect(right.headers['x-frame-options']).toBe('deny');
    expect(right.fingerprint).toBe(fingerprint(server.cert));
    expect((await get(`${r.url}/`, { ...opts, auth: basic('prometheus', PASSWORD) })).status).toBe(200);

    for (const probe of ['/-/healthy', '/-/ready']) {
      const a = await get(`${r.url}${probe}`, opts);
      expect(a.status, probe).toBe(200);
      expect(a.headers['www-authenticate']).toBeUndefined();
    }

    // Secrets never reach the logs: neither the password tried nor the configured hash.
    const logs = lines.join('');
    expect(logs).toContain('basic auth failed');
    expect(logs).not.toContain('wrong password');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(HASH);
  });

  it('honours min_version: a TLS 1.2-only client is refused when TLS13 is the minimum', async () => {
    const dir = tempDir();
    selfSigned(dir, 'server');
    const r = await start(await load(webFile(dir, 'tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13}\n')));
    await expect(get(`${r.url}/-/healthy`, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert|handshake|ECONNRESET/i);
    const ok = await get(`${r.url}/-/healthy`);
    expect(ok.status).toBe(200);
    expect(ok.protocol).toBe('TLSv1.3');
  });

  it('serves TLS 1.2 clients by default', async () => {
    const dir = tempDir();
    selfSigned(dir, 'server');
    const r = await start(await load(webFile(dir, 'tls_server_config: {cert_file: server.crt, key_file: server.key}\n')));
    const a = await get(`${r.url}/-/healthy`, { maxVersion: 'TLSv1.2' });
    expect(a.protocol).toBe('TLSv1.2');
  });

  it('serves a rotated certificate from the next connection on, and keeps the old one while the new pair does not fit', async () => {
    const dir = tempDir();
    const first = selfSigned(dir, 'server');
    const second = selfSigned(dir, 'second');
    const third = selfSigned(dir, 'third');
    const r = await start(await load(webFile(dir, 'tls_server_config: {cert_file: server.crt, key_file: server.key}\n')));
    const initial = fingerprint(first.cert);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(initial);

    // Rotate in place; a later mtime stands for "written later" without sleeping past the clock's resolution.
    let t = Date.now() / 1000 + 10;
    const rotate = (from: Pair, parts: Array<'cert' | 'key'>) => {
      for (const part of parts) {
        copyFileSync(from[part], first[part]);
        utimesSync(first[part], t, t);
      }
      t += 10;
    };
    rotate(second, ['cert', 'key']);
    const rotated = fingerprint(second.cert);
    expect(rotated).not.toBe(initial);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(rotated);

    // Half-way through the next rotation (new certificate, old key) the previous pair keeps being served...
    rotate(third, ['cert']);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(rotated);
    // ...until the key arrives too.
    rotate(third, ['key']);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(fingerprint(third.cert));
  });

  it('counts each refused version of the TLS files once, and keeps serving the last good pair', async () => {
    const dir = tempDir();
    const pair = selfSigned(dir, 'server');
    const good = readFileSync(pair.cert);
    const r = await start(await load(webFile(dir, 'tls_server_config: {cert_file: server.crt, key_file: server.key}\n')));
    const served = fingerprint(pair.cert);
    const failures = async () =>
      /^clouddc_exporter_file_reload_failures_total\{file="tls_server_config"\} (\d+)$/m.exec((await get(`${r.url}/metrics`)).body)?.[1];
    expect(await failures()).toBe('0');

    let t = Date.now() / 1000 + 10;
    const replace = (content: Buffer | string) => {
      writeFileSync(pair.cert, content);
      utimesSync(pair.cert, t, t);
      t += 10;
    };
    // Past the bounded read's 1 MiB for TLS files: refused before it is parsed.
    replace(Buffer.alloc(1024 * 1024 + 1, 'A'));
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(served);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(served);
    expect(await failures()).toBe('1');

    replace('-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n');
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(served);
    expect(await failures()).toBe('2');

    replace(good);
    expect((await get(`${r.url}/-/healthy`)).fingerprint).toBe(served);
    expect(await failures()).toBe('2');
  });

  it('RequireAndVerifyClientCert refuses clients without a certificate from client_ca_file', async () => {
    const { r, client, stranger } = await withClientCa('RequireAndVerifyClientCert');
    expect((await get(`${r.url}/-/healthy`, { client })).status).toBe(200);
    await expect(get(`${r.url}/-/healthy`)).rejects.toThrow();
    await expect(get(`${r.url}/-/healthy`, { client: stranger })).rejects.toThrow();
  });
});

describe('web config: optional client certificates', () => {
  it('VerifyClientCertIfGiven lets clients without a certificate in, but not ones with an unverifiable one', async () => {
    const { r, client, stranger } = await withClientCa('VerifyClientCertIfGiven');
    expect((await get(`${r.url}/-/healthy`)).status).toBe(200);
    expect((await get(`${r.url}/-/healthy`, { client })).status).toBe(200);
    await expect(get(`${r.url}/-/healthy`, { client: stranger })).rejects.toThrow();
  });

  it('RequireAnyClientCert wants a certificate, of any issuer', async () => {
    const dir = tempDir();
    selfSigned(dir, 'server');
    const stranger = selfSigned(dir, 'stranger', 'stranger');
    const r = await start(
      await load(webFile(dir, 'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAnyClientCert}\n')),
    );
    expect((await get(`${r.url}/-/healthy`, { client: stranger })).status).toBe(200);
    await expect(get(`${r.url}/-/healthy`)).rejects.toThrow();
  });
});

describe('--web.config.file on the command line', () => {
  it('refuses to start with an invalid web config: exit 1, every problem as path: message', async () => {
    const dir = tempDir();
    const file = webFile(dir, `tls_server_config: {cert_file: missing.crt, key_file: missing.key}\nbasic_auth_users: {prometheus: not-a-hash}\n`);
    const cli = runCli(['--demo', `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.format=json']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`${file}: invalid web configuration`);
    expect(cli.stderr()).toContain('basic_auth_users.prometheus: must be a bcrypt hash');
    expect(cli.stderr()).not.toContain('not-a-hash');
  });

  it('serves HTTPS with basic auth when the file is valid, and --config.check validates it too', async () => {
    const dir = tempDir();
    const server = selfSigned(dir, 'server');
    const file = webFile(dir, `tls_server_config: {cert_file: server.crt, key_file: server.key}\nbasic_auth_users: {prometheus: "${HASH}"}\n`);
    const check = runCli(['--demo', '--config.check', `--web.config.file=${file}`]);
    expect(await check.exited).toBe(0);
    expect(check.stdout()).toContain(`${file}: OK (TLS TLSv1.2+, 1 basic auth user(s))`);

    const cli = runCli(['--demo', `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.format=json']);
    try {
      const [, url] = await cli.waitFor(/"url":"(https:\/\/127\.0\.0\.1:\d+)"/);
      expect((await get(`${url}/metrics`, { ca: server.cert })).status).toBe(401);
      expect((await get(`${url}/metrics`, { ca: server.cert, auth: basic('prometheus', PASSWORD) })).status).toBe(200);
      expect((await get(`${url}/-/healthy`, { ca: server.cert })).status).toBe(200);
      expect(cli.stdout()).toContain('"basicAuthUsers":1');
      expect(cli.stdout() + cli.stderr()).not.toContain(HASH);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
