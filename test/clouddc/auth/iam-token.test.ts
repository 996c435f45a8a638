import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_TRANSIENT_MS } from '../../../src/clouddc/auth/cooldown.js';
import { IamTokenAuthenticator, RETRY_REFUSED_MS } from '../../../src/clouddc/auth/iam-token.js';
import { parseIamTime, requestIamToken } from '../../../src/clouddc/auth/iam-request.js';
import { AuthenticationError } from '../../../src/clouddc/authenticator.js';
import { createAccountClient, type AccountClient } from '../../../src/clouddc/client.js';
import type { AuthObserver } from '../../../src/clouddc/observer.js';
import { Secret } from '../../../src/domain/secret.js';
import type { AuthSettings, SecretSource } from '../../../src/domain/config.js';
import { PROJECT, USER, endlessExport, startWorld, type World } from '../../support/auth-world.js';
import { account } from '../../support/config.js';
import { captureLogger, pollSettings, RecordingObserver } from '../harness.js';

type PasswordAuth = Extract<AuthSettings, { kind: 'password' }>;

class Events implements AuthObserver {
  readonly refreshes: string[] = [];
  readonly expiries: number[] = [];
  onAccount() {}
  onTokenIssued(_a: string, ms: number) {
    this.expiries.push(ms);
  }
  onTokenRefresh(_a: string, result: string) {
    this.refreshes.push(result);
  }
  onCredentialsIssued() {}
  onCredentialRenewal() {}
  onPause() {}
  onSecretFile() {}
  onSecretFileRefused() {}
}

let world: World | undefined;
const clients: AccountClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await world?.close();
  world = undefined;
});

function authFor(w: World, o: { password?: SecretSource; refreshBeforeMs?: number; projectName?: string; timeoutMs?: number } = {}) {
  const events = new Events();
  const log = captureLogger();
  const settings: PasswordAuth = {
    kind: 'password',
    source: 'test',
    userName: USER.userName,
    password: o.password ?? { kind: 'inline', value: new Secret(USER.password) },
    domainName: USER.domainName,
    authUrl: w.iam.url,
    refreshBeforeMs: o.refreshBeforeMs ?? 20_000,
    ...(o.projectName !== undefined && { projectName: o.projectName }),
  };
  const auth = new IamTokenAuthenticator({
    account: 'acct',
    projectId: PROJECT,
    settings,
    timeoutMs: o.timeoutMs ?? 2000,
    now: w.clock.now,
    logger: log.logger,
    observer: events,
  });
  return { auth, events, log };
}

function clientFor(w: World, auth: IamTokenAuthenticator): { client: AccountClient; observer: RecordingObserver } {
  const observer = new RecordingObserver();
  const client = createAccountClient({
    account: account(w.sim.url, { name: 'acct' }),
    poll: pollSettings({ retries: 0 }),
    userAgent: 'test',
    authenticator: auth,
    observer,
    now: w.clock.now,
  });
  clients.push(client);
  return { client, observer };
}

describe('IAM token request', () => {
  it('parses expires_at with microseconds and rejects anything else', () => {
    expect(parseIamTime('2020-01-04T09:05:22.701000Z')).toBe(Date.UTC(2020, 0, 4, 9, 5, 22, 701));
    expect(parseIamTime('2020-01-04T09:05:22Z')).toBe(Date.UTC(2020, 0, 4, 9, 5, 22));
    expect(parseIamTime('2020-01-04T17:05:22.7+08:00')).toBe(Date.UTC(2020, 0, 4, 9, 5, 22, 700));
    for (const bad of ['yesterday', '', 5, undefined, '2020-13-45T00:00:00Z']) expect(parseIamTime(bad)).toBeUndefined();
  });

  it('scopes by project id, or by project_name when configured', async () => {
    world = await startWorld();
    await authFor(world).auth.authorize();
    await authFor(world, { projectName: 'cn-east-3' }).auth.authorize();
    expect(world.iam.scopes).toEqual([{ id: PROJECT }, { name: 'cn-east-3' }]);
  });

  it('reports a timeout without the password', async () => {
    world = await startWorld();
    world.iam.setHang(true);
    const r = await requestIamToken({ authUrl: world.iam.url, userName: 'u', password: USER.password, domainName: 'd', project: { id: 'p' }, timeoutMs: 200 });
    expect(r).toEqual({ ok: false, refused: false, message: expect.stringMatching(/^IAM at 127\.0\.0\.1:\d+ did not answer within 200 ms$/) });
  });
});

describe('IAM token request against odd servers', () => {
  async function serve(status: number, body: string, headers: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/v3`, close: () => new Promise((r) => server.close(() => r())) };
  }
  const ask = (authUrl: string) =>
    requestIamToken({ authUrl, userName: 'u', password: 'echoed-Passw0rd', domainName: 'd', project: { id: 'p' }, timeoutMs: 1000 });

  it('never repeats the password IAM echoes back, and reads the flat gateway error shape', async () => {
    const s = await serve(400, JSON.stringify({ error_code: 'IAM.0011', error_msg: 'bad request for password echoed-Passw0rd' }));
    const r = await ask(s.url);
    await s.close();
    expect(r).toEqual({ ok: false, refused: true, message: expect.stringContaining('IAM.0011: bad request for password <redacted>') });
  });

  it('treats a 201 without X-Subject-Token or expires_at, a 503 and a closed port as transient', async () => {
    const noHeader = await serve(201, '{"token":{"expires_at":"2030-01-01T00:00:00.000000Z"}}');
    const noExpiry = await serve(201, '{"token":{}}', { 'x-subject-token': 'MIIabc' });
    const down = await serve(503, '<html>busy</html>', { 'content-type': 'text/html' });
    const results = [await ask(noHeader.url), await ask(noExpiry.url), await ask(down.url)];
    await Promise.all([noHeader.close(), noExpiry.close(), down.close()]);
    expect(results.map((r) => !r.ok && r.refused)).toEqual([false, false, false]);
    expect(results.map((r) => (r.ok ? '' : r.message))).toEqual([
      expect.stringMatching(/without a usable X-Subject-Token header$/),
      expect.stringMatching(/without a valid token\.expires_at$/),
      expect.stringMatching(/answered HTTP 503 \(busy\)$/),
    ]);
    const closed = await ask(noHeader.url);
    expect(closed).toMatchObject({ ok: false, refused: false, message: expect.stringMatching(/unreachable: ECONNREFUSED/) });
  });
});

describe('IamTokenAuthenticator', () => {
  it('100 concurrent polls share one IAM request', async () => {
    world = await startWorld();
    const { auth, events } = authFor(world);
    const all = await Promise.all(Array.from({ length: 100 }, () => auth.authorize()));
    expect(new Set(all.map((h) => h['X-Auth-Token'])).size).toBe(1);
    expect(world.iam.requestCount).toBe(1);
    expect(events.refreshes).toEqual(['success']);
    expect(events.expiries).toEqual([world.clock.now() + 60_000]);
  });

  it('resolves to one frozen object while a token is usable, and asks IAM again once it is not', async () => {
    world = await startWorld({ tokenLifetimeMs: 60_000 });
    const { auth } = authFor(world);
    const headers = await auth.authorize();
    expect(Object.isFrozen(headers)).toBe(true);
    expect(await auth.authorize()).toBe(headers);
    expect(world.iam.requestCount).toBe(1);
    world.clock.advance(60_000);
    expect(await auth.authorize()).not.toBe(headers);
    expect(world.iam.requestCount).toBe(2);
  });

  it('renews in the background once less than refresh_before remains, keeping the old token meanwhile', async () => {
    world = await startWorld({ tokenLifetimeMs: 60_000 });
    const { auth } = authFor(world, { refreshBeforeMs: 20_000 });
    const first = (await auth.authorize())['X-Auth-Token'];
    world.clock.advance(39_999);
    expect((await auth.authorize())['X-Auth-Token']).toBe(first);
    expect(world.iam.requestCount).toBe(1);
    world.clock.advance(1);
    expect((await auth.authorize())['X-Auth-Token']).toBe(first);
    // The renewal runs in the background; polls meanwhile keep the old token and start no second one.
    for (let i = 0; i < 200 && (await auth.authorize())['X-Auth-Token'] === first; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await auth.authorize())['X-Auth-Token']).not.toBe(first);
    expect(world.iam.requestCount).toBe(2);
  });

  it('renews at half-life when refresh_before exceeds the lifetime, instead of once per poll', async () => {
    world = await startWorld({ tokenLifetimeMs: 60_000 });
    const { auth } = authFor(world, { refreshBeforeMs: 3_600_000 });
    await auth.authorize();
    for (let i = 0; i < 29; i++) {
      world.clock.advance(1000);
      await auth.authorize();
    }
    expect(world.iam.requestCount).toBe(1);
  });

  it('renews once after a 401 for a token that worked before, and the poll then succeeds', async () => {
    world = await startWorld();
    const t = endlessExport(world, 'acct');
    const { auth, log } = authFor(world);
    const { client, observer } = clientFor(world, auth);
    expect((await client.fetchStatus(t)).ok).toBe(true);
    world.iam.revokeAll();
    const r = await client.fetchStatus(t);
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(observer.codes()).toEqual(['200', '401', '200']);
    expect(world.iam.requestCount).toBe(2);
    expect(log.lines().map((l) => l['msg'])).toContain('CloudDC refused the IAM token (HTTP 401 APIGW.0307: The token must be updated.); renewing it');
  });

  it('fails the poll with 401 when the renewed token is refused too, then fails fast instead of asking IAM per poll', async () => {
    world = await startWorld();
    const t = endlessExport(world, 'acct');
    const { auth, events } = authFor(world);
    const { client } = clientFor(world, auth);
    await client.fetchStatus(t);
    // Every token is refused from now on, as when IAM issues tokens for another region.
    const original = world.iam.check.bind(world.iam);
    world.iam.check = () => 'revoked';
    const r = await client.fetchStatus(t);
    expect(r).toMatchObject({ ok: false, reason: '401', errorCode: 'APIGW.0307', attempts: 2 });
    const before = { iam: world.iam.requestCount, api: world.sim.requestCount };
    for (let i = 0; i < 5; i++) {
      world.clock.advance(1000);
      expect(await client.fetchStatus(t)).toMatchObject({
        ok: false,
        reason: '401',
        message: expect.stringMatching(/^authentication failed: no IAM token: CloudDC refused a freshly issued IAM token/),
      });
    }
    expect({ iam: world.iam.requestCount, api: world.sim.requestCount }).toEqual(before);
    world.iam.check = original;
    world.clock.advance(RETRY_REFUSED_MS);
    expect((await client.fetchStatus(t)).ok).toBe(true);
    expect(events.refreshes).toEqual(['success', 'success', 'success']);
  });

  it('backs off after IAM refuses the password: fails fast, no IAM request, the wait doubles', async () => {
    world = await startWorld();
    const { auth, events, log } = authFor(world, { password: { kind: 'inline', value: new Secret('wrong-password-123') } });
    const err = (await auth.authorize().catch((e: unknown) => e)) as AuthenticationError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.reason).toBe('401');
    expect(err.message).toMatch(/^no IAM token: IAM at 127\.0\.0\.1:\d+ answered HTTP 401 \(401: The username or password is wrong\.\)$/);
    world.clock.advance(RETRY_REFUSED_MS - 1);
    await expect(auth.authorize()).rejects.toThrow(/next attempt in 1s$/);
    expect(world.iam.requestCount).toBe(1);
    world.clock.advance(1);
    await expect(auth.authorize()).rejects.toThrow(AuthenticationError);
    expect(world.iam.requestCount).toBe(2);
    world.clock.advance(RETRY_REFUSED_MS);
    await expect(auth.authorize()).rejects.toThrow(/next attempt in 5m0s|next attempt in 5m$/);
    expect(world.iam.requestCount).toBe(2);
    expect(events.refreshes).toEqual(['failure', 'failure']);
    expect(JSON.stringify(log.lines())).not.toContain('wrong-password-123');
  });

  it('backs off 30 s after a timeout, and retries at once when the password file changes', async () => {
    world = await startWorld();
    const file = join(world.dir, 'password');
    await fs.writeFile(file, `${USER.password}\n`);
    const { auth } = authFor(world, { password: { kind: 'file', path: file }, timeoutMs: 100 });
    world.iam.setHang(true);
    await expect(auth.authorize()).rejects.toThrow(/did not answer within 100 ms/);
    world.iam.setHang(false);
    world.clock.advance(RETRY_TRANSIENT_MS - 1000);
    await expect(auth.authorize()).rejects.toThrow(/next attempt in 1s/);
    await fs.writeFile(`${file}.new`, `${USER.password}\n`);
    await fs.rename(`${file}.new`, file);
    await expect(auth.authorize()).resolves.toHaveProperty('X-Auth-Token');
  });
});
