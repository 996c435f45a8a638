import { afterEach, describe, expect, it } from 'vitest';
import { iamTime, startIamSimulator, type IamSimulator, type IamSimulatorOptions } from '../../src/simulator/index.js';
import { fakeClock, T0 } from './support.js';

const IDP = 'cce-oidc-provider';
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.service-account.sig';
const HOUR = 3_600_000;

let iam: IamSimulator | undefined;
afterEach(async () => {
  await iam?.close();
  iam = undefined;
});

async function start(opts: Partial<IamSimulatorOptions> = {}) {
  const clock = fakeClock();
  iam = await startIamSimulator({ now: clock.now, tokenLifetimeMs: 24 * HOUR, identityProviders: [{ id: IDP, idTokens: [ID_TOKEN] }], ...opts });
  return clock;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(iam!.endpoint + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

/** The SDK's GetUnscopedTokenWithIdTokenRequest, or a scoped one. */
const exchange = async (idToken = ID_TOKEN, idp: string | null = IDP, scope?: unknown) =>
  post(
    '/v3.0/OS-AUTH/id-token/tokens',
    { auth: { id_token: { id: idToken }, ...(scope !== undefined && { scope }) } },
    idp === null ? {} : { 'X-Idp-Id': idp },
  );

/** The SDK's GetCreateTemporaryAccessKeyByTokenRequest. */
const securityTokens = async (token: string, duration: unknown = 21_600, headers: Record<string, string> = {}) =>
  post('/v3.0/OS-CREDENTIAL/securitytokens', { auth: { identity: { methods: ['token'], token: { id: token, duration_seconds: duration } } } }, headers);

describe('IAM federation', () => {
  it('exchanges an id token for an IAM token, then the token for a temporary key living duration_seconds', async () => {
    const clock = await start();
    expect(iam!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const t = await exchange();
    expect(t.status).toBe(201);
    const token = t.headers.get('x-subject-token')!;
    expect(token).toMatch(/^MII/);
    // The SDK refuses an answer without X-Request-Id or token.expires_at.
    expect(t.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(t.json.token).toMatchObject({
      expires_at: iamTime(T0 + 24 * HOUR),
      issued_at: iamTime(T0),
      methods: ['mapped'],
      user: { 'OS-FEDERATION': { identity_provider: { id: IDP }, protocol: { id: 'oidc' } } },
    });
    expect(t.json.token.project).toBeUndefined();
    expect(iam!.check(token, T0)).toBe('valid');
    clock.advance(1000);
    const k = await securityTokens(token);
    expect(k.status).toBe(201);
    expect(k.json.credential).toEqual({
      access: expect.any(String),
      secret: expect.any(String),
      securitytoken: expect.any(String),
      expires_at: iamTime(T0 + 1000 + 21_600_000),
    });
    expect(iam!.keys.lookup(k.json.credential.access)).toMatchObject({ source: 'iam', expiresAt: T0 + 1000 + 21_600_000 });
    expect(iam!.served).toEqual({ 'password-token': 0, 'id-token': 1, 'security-token': 1 });
    expect(iam!.requests.map((r) => r.op)).toEqual(['id-token', 'security-token']);
    expect(JSON.parse(iam!.requests[1]!.body).auth.identity.token.duration_seconds).toBe(21_600);
  });

  it('takes a project or domain scope, by id or name, and echoes it', async () => {
    await start();
    expect((await exchange(ID_TOKEN, IDP, { project: { name: 'cn-north-4' } })).json.token.project).toMatchObject({ name: 'cn-north-4' });
    expect((await exchange(ID_TOKEN, IDP, { domain: { id: 'd1' } })).json.token.domain).toEqual({ id: 'd1' });
    expect((await exchange(ID_TOKEN, IDP, { project: {} })).status).toBe(400);
    expect((await exchange(ID_TOKEN, IDP, { project: { id: 'p' }, domain: { id: 'd' } })).status).toBe(400);
  });

  it('answers 401 to an id token the provider does not accept, 404 to an unknown provider, 400 to a missing header or body', async () => {
    await start({
      identityProviders: [
        { id: IDP, idTokens: [ID_TOKEN] },
        { id: 'other', idTokens: ['other-token'] },
      ],
    });
    const wrong = await exchange('other-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-subject-token')).toBeNull();
    expect(wrong.json.error).toMatchObject({ code: 401, title: 'Unauthorized' });
    expect((await exchange(ID_TOKEN, 'nobody')).status).toBe(404);
    expect((await exchange(ID_TOKEN, null)).status).toBe(400);
    expect((await post('/v3.0/OS-AUTH/id-token/tokens', 'not json', { 'X-Idp-Id': IDP })).status).toBe(400);
    expect(iam!.issued).toEqual([]);
  });

  it('follows a rotated id token: the old one stops working', async () => {
    await start();
    iam!.setIdTokens(IDP, ['rotated']);
    expect((await exchange()).status).toBe(401);
    expect((await exchange('rotated')).status).toBe(201);
  });

  it('refuses securitytokens for an unknown, expired or revoked token, and a duration outside 900-86400 s', async () => {
    const clock = await start({ tokenLifetimeMs: HOUR });
    const token = (await exchange()).headers.get('x-subject-token')!;
    expect((await securityTokens('MIInot-issued')).status).toBe(401);
    for (const d of [899, 86_401, 1.5, '900']) expect((await securityTokens(token, d)).status).toBe(400);
    expect((await securityTokens(token, 900)).json.credential.expires_at).toBe(iamTime(T0 + 900_000));
    clock.advance(HOUR);
    expect((await securityTokens(token)).status).toBe(401);
    clock.set(T0);
    iam!.revoke(token);
    expect((await securityTokens(token)).status).toBe(401);
    expect(iam!.keys.issued).toHaveLength(1);
  });

  it('takes the token from X-Auth-Token when the body has none, and defaults duration_seconds to 900', async () => {
    await start();
    const token = (await exchange()).headers.get('x-subject-token')!;
    const res = await post('/v3.0/OS-CREDENTIAL/securitytokens', { auth: { identity: { methods: ['token'] } } }, { 'X-Auth-Token': token });
    expect(res.status).toBe(201);
    expect(res.json.credential.expires_at).toBe(iamTime(T0 + 900_000));
    expect((await post('/v3.0/OS-CREDENTIAL/securitytokens', { auth: { identity: { methods: ['password'] } } })).status).toBe(400);
  });

  it('credentialLifetimeMs overrides duration_seconds', async () => {
    await start({ credentialLifetimeMs: 120_000 });
    const token = (await exchange()).headers.get('x-subject-token')!;
    expect((await securityTokens(token)).json.credential.expires_at).toBe(iamTime(T0 + 120_000));
    iam!.setCredentialLifetime(undefined);
    expect((await securityTokens(token)).json.credential.expires_at).toBe(iamTime(T0 + 21_600_000));
  });

  it('fails either call on demand with a set or queued fault', async () => {
    await start();
    iam!.queueFaults('id-token', [{ kind: 'error', status: 500 }]);
    const failed = await exchange();
    expect(failed.status).toBe(500);
    expect(failed.json.error.code).toBe(500);
    const token = (await exchange()).headers.get('x-subject-token')!;
    iam!.setFault('security-token', { kind: 'error', status: 403, body: { error_code: 'IAM.0002', error_msg: 'forbidden' } });
    expect((await securityTokens(token)).json).toEqual({ error_code: 'IAM.0002', error_msg: 'forbidden' });
    iam!.setFault('security-token', undefined);
    expect((await securityTokens(token)).status).toBe(201);
    expect(iam!.served).toEqual({ 'password-token': 0, 'id-token': 2, 'security-token': 2 });
  });
});
