import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { akskAuthenticator, type AkskOptions } from '../../../src/clouddc/auth/aksk.js';
import { AuthenticationError, type Authenticator } from '../../../src/clouddc/authenticator.js';
import type { AuthObserver } from '../../../src/clouddc/observer.js';
import { Secret } from '../../../src/domain/secret.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';
import { verifySignature } from '../../../src/simulator/signature-verifier.js';
import { captureLogger } from '../harness.js';

const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'ExampleSecretKey0000000000000000000000001';
const PROJECT = '0123456789abcdef0123456789abcdef';
const T0 = Date.parse('2025-03-20T02:48:06Z');
const URL_ = new URL(`https://clouddc.cn-east-3.myhuaweicloud.com/v1/${PROJECT}/physicalservers/s1/logs/exports/1`);
const req = { method: 'GET', url: URL_, headers: { accept: 'application/json', 'user-agent': 'test' } };

class PauseLog implements AuthObserver {
  readonly pauses: number[] = [];
  onAccount() {}
  onTokenIssued() {}
  onTokenRefresh() {}
  onCredentialsIssued() {}
  onCredentialRenewal() {}
  onPause(_account: string, until: number) {
    this.pauses.push(until);
  }
  onSecretFile() {}
  onSecretFileRefused() {}
}

function make(overrides: Partial<AkskOptions> = {}) {
  let now = T0;
  const log = captureLogger();
  const observer = new PauseLog();
  const auth = akskAuthenticator({
    account: 'acct',
    projectId: PROJECT,
    accessKey: AK,
    secretKey: { kind: 'inline', value: new Secret(SK) },
    now: () => now,
    logger: log.logger,
    observer,
    ...overrides,
  });
  return { auth, log, observer, advance: (ms: number) => (now += ms), now: () => now };
}

const refused = { status: 401, errorCode: 'APIGW.0301', message: 'HTTP 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail' };

/** Lets one request through and reports `status` for it. */
async function send(auth: Authenticator, status: number | undefined, extra: object = {}): Promise<Record<string, string>> {
  const headers = await auth.authorize(req);
  auth.onResult?.({ authorization: headers, ...(status !== undefined && { status }), ...extra });
  return headers;
}

function verify(headers: Record<string, string>, sk = SK, at = T0) {
  const lower = Object.fromEntries(Object.entries({ ...req.headers, ...headers, host: URL_.host }).map(([k, v]) => [k.toLowerCase(), v]));
  return verifySignature({ method: 'GET', rawPath: URL_.pathname, headers: lower, body: '' }, (ak) => (ak === AK ? sk : undefined), new Date(at));
}

describe('akskAuthenticator: signing', () => {
  it('adds X-Project-Id and signs host, x-project-id and x-sdk-date with the injected clock', async () => {
    const { auth } = make();
    const headers = await auth.authorize(req);
    expect(headers['X-Project-Id']).toBe(PROJECT);
    expect(headers['X-Sdk-Date']).toBe('20250320T024806Z');
    expect(headers['Authorization']).toMatch(
      /^SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(verify(headers)).toEqual({ ok: true, accessKey: AK });
    expect(auth.onUnauthorized).toBeUndefined();
  });

  it('sends and signs X-Security-Token for temporary credentials', async () => {
    const { auth } = make({ securityToken: new Secret('temp-security-token') });
    const headers = await auth.authorize(req);
    expect(headers['X-Security-Token']).toBe('temp-security-token');
    expect(headers['Authorization']).toContain('SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,');
    expect(verify(headers).ok).toBe(true);
  });

  it('re-reads a secret key file once it changes, and rejects an unreadable one without a request', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-sk-'));
    const file = join(dir, 'sk');
    await fs.writeFile(file, 'first-secret-key\n');
    const { auth } = make({ secretKey: { kind: 'file', path: file } });
    expect(verify(await send(auth, 200), 'first-secret-key').ok).toBe(true);
    await fs.writeFile(`${file}.new`, 'second-secret-key\n');
    await fs.rename(`${file}.new`, file);
    expect(verify(await send(auth, 200), 'second-secret-key').ok).toBe(true);
    await fs.rm(file);
    await expect(auth.authorize(req)).rejects.toThrow(/cannot read secret key file .*sk: ENOENT/);
    await fs.rm(dir, { recursive: true });
  });

  it('keeps signing with the last good key while a new version is refused, and counts the refusal', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-sk-'));
    const file = join(dir, 'sk');
    await fs.writeFile(file, 'first-secret-key\n');
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
    const failures = async () => /^clouddc_exporter_file_reload_failures_total\{file="secret_key_file"\} (\d+)$/m.exec(await metrics.registry.metrics())?.[1];
    const { auth } = make({ secretKey: { kind: 'file', path: file }, observer: metrics.auth });
    expect(await failures()).toBe('0');
    expect(verify(await send(auth, 200), 'first-secret-key').ok).toBe(true);
    await fs.writeFile(`${file}.new`, 'k'.repeat(64 * 1024 + 1));
    await fs.rename(`${file}.new`, file);
    expect(verify(await send(auth, 200), 'first-secret-key').ok).toBe(true);
    expect(await failures()).toBe('1');
    await fs.rm(dir, { recursive: true });
  });
});

describe('akskAuthenticator: protecting the key', () => {
  it('lets one request through until the key is known to work; the others wait for its verdict', async () => {
    const { auth } = make();
    const probe = await auth.authorize(req);
    let released = 0;
    const waiting = Array.from({ length: 9 }, () => auth.authorize(req).then((h) => (released++, h)));
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(0);
    auth.onResult?.({ authorization: probe, status: 200 });
    expect((await Promise.all(waiting)).length).toBe(9);
    // Trusted now: no more waiting.
    await expect(auth.authorize(req)).resolves.toBeDefined();
  });

  it('pauses after a 401: waiting and new requests fail fast, one warning, and the pause shows until it ends', async () => {
    const { auth, log, observer, advance, now } = make();
    const probe = await auth.authorize(req);
    const waiting = Array.from({ length: 5 }, () => auth.authorize(req).catch((e: unknown) => e));
    auth.onResult?.({ authorization: probe, ...refused });
    for (const err of await Promise.all(waiting)) {
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as AuthenticationError).reason).toBe('401');
    }
    expect(observer.pauses).toEqual([T0 + 330_000]);
    const warnings = log.lines().filter((l) => l['level'] === 40);
    expect(warnings.map((l) => l['msg'])).toEqual([
      expect.stringMatching(/^CloudDC refused the AK\/SK signature \(HTTP 401 APIGW\.0301: .*verify aksk signature fail\); account paused for 5m30s/),
      expect.stringMatching(/^hint: .*clock .*15 minutes/),
    ]);
    advance(330_000 - 1);
    await expect(auth.authorize(req)).rejects.toThrow(/account paused .* no request until 2025-03-20T02:53:36\.000Z \(1s left\)/);
    advance(1);
    // Over: exactly one probe again.
    const second = await auth.authorize(req);
    expect(second['X-Sdk-Date']).toBe('20250320T025336Z');
    expect(now()).toBe(T0 + 330_000);
  });

  it('doubles the pause for each further refused probe, up to the cap, and starts over after a success', async () => {
    const { auth, observer, advance, now } = make({ pauseMs: 1000, maxPauseMs: 3000 });
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = now();
      await send(auth, 401);
      lengths.push(observer.pauses.at(-1)! - start);
      advance(lengths.at(-1)!);
    }
    expect(lengths).toEqual([1000, 2000, 3000, 3000]);
    await send(auth, 200);
    await send(auth, 401);
    expect(observer.pauses.at(-1)! - now()).toBe(1000);
  });

  it('trusts the key only on an answer from behind the gateway: 2xx or an iMetal error, not a 503 page', async () => {
    const waitsForProbe = async (auth: Authenticator) => {
      const probe = await auth.authorize(req);
      let through = false;
      const next = auth.authorize(req).then(() => (through = true));
      await new Promise((r) => setTimeout(r, 10));
      const waited = !through;
      auth.onResult?.({ authorization: probe, status: 200 });
      await next;
      return waited;
    };
    const lb = make();
    await send(lb.auth, 503);
    expect(await waitsForProbe(lb.auth)).toBe(true);
    const backend = make();
    await send(backend.auth, 404, { errorCode: 'iMetal.0100' });
    expect(await waitsForProbe(backend.auth)).toBe(false);
  });

  it('does not pause on a timeout; the next request becomes the probe', async () => {
    const { auth, observer } = make();
    await send(auth, undefined);
    await send(auth, 500);
    expect(observer.pauses).toEqual([]);
  });

  it('gives no clock hint when the 401 says nothing about signature or date', async () => {
    const { auth, log } = make();
    await send(auth, 401, { message: 'HTTP 401 iMetal.0003: Unauthorized' });
    expect(log.lines().filter((l) => l['level'] === 40)).toHaveLength(1);
  });

  it('ends a pause early when the secret key file is replaced', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-sk-'));
    const file = join(dir, 'sk');
    await fs.writeFile(file, 'wrong-key');
    const { auth, observer } = make({ secretKey: { kind: 'file', path: file } });
    await send(auth, 401, refused);
    await expect(auth.authorize(req)).rejects.toBeInstanceOf(AuthenticationError);
    await fs.writeFile(`${file}.new`, SK);
    await fs.rename(`${file}.new`, file);
    expect(verify(await auth.authorize(req)).ok).toBe(true);
    expect(observer.pauses.at(-1)).toBe(0);
    await fs.rm(dir, { recursive: true });
  });

  it('ignores late 401s from requests sent before the pause', async () => {
    const { auth, observer } = make();
    await send(auth, 200);
    const a = await auth.authorize(req);
    const b = await auth.authorize(req);
    auth.onResult?.({ authorization: a, ...refused });
    auth.onResult?.({ authorization: b, ...refused });
    expect(observer.pauses).toHaveLength(1);
  });
});
