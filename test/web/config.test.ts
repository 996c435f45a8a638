import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { isBcryptHash, loadWebConfigFile, parseWebConfig } from '../../src/web/config.js';
import { selfSigned, tempDir } from './tls-fixtures.js';

const HASH = bcrypt.hashSync('s3cret', 4);
const opts = { source: 'web.yml', baseDir: '/etc/exporter' };

function problems(text: string): string[] {
  const r = parseWebConfig(text, opts);
  return r.ok ? [] : r.problems;
}

describe('parseWebConfig', () => {
  it("reads the exporter-toolkit format with its defaults, resolving files against the file's directory", () => {
    const r = parseWebConfig(
      `tls_server_config:
  cert_file: tls/server.crt
  key_file: /abs/server.key
basic_auth_users:
  prometheus: ${HASH}
http_server_config:
  http2: false
  headers:
    x-frame-options: deny
    Strict-Transport-Security: max-age=31536000
`,
      opts,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tls).toEqual({
      certFile: '/etc/exporter/tls/server.crt',
      keyFile: '/abs/server.key',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      clientAuth: 'NoClientCert',
    });
    expect([...r.value.users.keys()]).toEqual(['prometheus']);
    expect(r.value.users.get('prometheus')?.reveal()).toBe(HASH);
    expect(String(r.value.users.get('prometheus'))).toBe('<secret>');
    expect(r.value.headers).toEqual({ 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
  });

  it('accepts basic auth alone (plain HTTP) and the legacy RequireClientCert spelling', () => {
    expect(parseWebConfig(`basic_auth_users: {a: "${HASH}"}\n`, opts)).toMatchObject({ ok: true, value: { tls: undefined } });
    expect(parseWebConfig('tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireClientCert}\n', opts)).toMatchObject({
      ok: true,
      value: { tls: { clientAuth: 'RequireAnyClientCert' } },
    });
  });

  it('reports every problem as path: message, unknown keys included, with suggestions', () => {
    expect(
      problems(`tls_server_config:
  cert_fil: a
  key_file: b
  min_version: TLS11
  cipher_suites: [TLS_AES_128_GCM_SHA256]
  client_auth_type: Sometimes
basic_auth_user: {}
rate_limit: {interval: 1s}
http_server_config:
  headers:
    X-Powered-By: me
    X-Content-Type-Options: sniff
`),
    ).toEqual([
      'tls_server_config.cert_file: required',
      'tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert',
      'tls_server_config.min_version: must be TLS12 or TLS13 (TLS 1.0 and 1.1 are not offered)',
      'tls_server_config.cipher_suites: not supported by clouddc-exporter; Node.js picks secure TLS 1.2 and 1.3 suites by default',
      'tls_server_config.cert_fil: unknown key (did you mean "cert_file"?)',
      'http_server_config.headers.X-Powered-By: this header cannot be configured (allowed: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)',
      'http_server_config.headers.X-Content-Type-Options: must be one of "nosniff"',
      'rate_limit: not supported by clouddc-exporter; limit request rates in a proxy in front of the exporter',
      'basic_auth_user: unknown key (did you mean "basic_auth_users"?)',
    ]);
  });

  it('checks client certificate settings against each other', () => {
    expect(problems('tls_server_config: {cert_file: a, key_file: b, client_ca_file: ca}\n')).toEqual([
      'tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert (the default): set client_auth_type too, or remove it',
    ]);
    expect(problems('tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}\n')).toEqual([
      'tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert',
    ]);
    expect(problems('tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}\n')).toEqual([
      'tls_server_config.max_version: TLS12 is lower than min_version (TLS13)',
    ]);
  });

  it('refuses anything but a bcrypt hash, and never repeats what was written', () => {
    const plain = 'hunter2-plain-password';
    const out = problems(`basic_auth_users:\n  alice: ${plain}\n  bob: 12345\n  "c:d": "${HASH}"\n`);
    expect(out).toEqual([
      expect.stringMatching(/^basic_auth_users\.alice: must be a bcrypt hash/),
      'basic_auth_users.bob: expected a bcrypt hash, got a number',
      'basic_auth_users["c:d"]: user names cannot contain ":" (HTTP basic auth splits on it)',
    ]);
    expect(out.join('\n')).not.toContain(plain);
    expect(out.join('\n')).not.toContain(HASH);
  });

  it('refuses an empty file instead of serving unprotected', () => {
    expect(problems('# nothing\n')).toEqual(['web.yml: the file is empty; it needs tls_server_config, basic_auth_users or http_server_config']);
    expect(problems('- a\n')).toEqual(['web.yml: expected a mapping at the top level, got a list']);
  });

  it('recognises bcrypt hashes as htpasswd and bcrypt libraries write them', () => {
    expect(isBcryptHash(HASH)).toBe(true);
    expect(isBcryptHash(HASH.replace(/^\$2[ab]\$/, '$2y$'))).toBe(true);
    expect(isBcryptHash(HASH.replace(/^\$2[ab]\$04/, '$2b$03'))).toBe(false);
    expect(isBcryptHash(HASH.slice(0, -1))).toBe(false);
  });
});

describe('loadWebConfigFile', () => {
  it('loads a file whose certificate and key exist and belong together', async () => {
    const dir = tempDir();
    selfSigned(dir, 'server');
    writeFileSync(join(dir, 'web.yml'), 'tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13}\n');
    const r = await loadWebConfigFile(join(dir, 'web.yml'));
    expect(r).toMatchObject({ ok: true, value: { tls: { certFile: join(dir, 'server.crt'), minVersion: 'TLSv1.3' } } });
  });

  it('reports missing files, a key of another certificate and a file that is no certificate', async () => {
    const dir = tempDir();
    selfSigned(dir, 'one');
    selfSigned(dir, 'two');
    const file = join(dir, 'web.yml');
    writeFileSync(file, 'tls_server_config: {cert_file: nope.crt, key_file: one.key}\n');
    expect(await loadWebConfigFile(file)).toEqual({
      ok: false,
      problems: [`tls_server_config.cert_file: cannot read ${join(dir, 'nope.crt')}: no such file`],
    });
    writeFileSync(file, 'tls_server_config: {cert_file: one.crt, key_file: two.key}\n');
    expect(await loadWebConfigFile(file)).toEqual({
      ok: false,
      problems: ['tls_server_config.key_file: the key does not belong to the certificate in cert_file'],
    });
    copyFileSync(join(dir, 'one.key'), join(dir, 'key-as-cert.crt'));
    writeFileSync(file, 'tls_server_config: {cert_file: key-as-cert.crt, key_file: one.key}\n');
    const r = await loadWebConfigFile(file);
    expect(r).toEqual({ ok: false, problems: ['tls_server_config.cert_file: not a PEM certificate'] });
    // A key in an error message would be a leak: none of the key file's text appears.
    expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
  });

  it('reports an unreadable web config file', async () => {
    expect(await loadWebConfigFile('/nonexistent/web.yml')).toEqual({ ok: false, problems: ['/nonexistent/web.yml: cannot read: no such file'] });
  });
});
