import { afterEach, describe, expect, it } from 'vitest';
import { iamTime, NO_AGENCY, startAgencySimulator, type AgencySimulator, type AgencySimulatorOptions } from '../../src/simulator/index.js';
import { fakeClock, T0 } from './support.js';

let agency: AgencySimulator | undefined;
afterEach(async () => {
  await agency?.close();
  agency = undefined;
});

const HOUR = 3_600_000;
const POD_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.pod-identity-token.sig';

async function start(opts: AgencySimulatorOptions = {}) {
  const clock = fakeClock();
  agency = await startAgencySimulator({ now: clock.now, podIdentityTokens: [POD_TOKEN], ...opts });
  return clock;
}

async function call(path: string, method: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(agency!.url + path, { method, headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get('content-type') };
}

const sessionToken = async (ttl = '21600') => call('/meta-data/latest/api/token', 'PUT', { 'X-Metadata-Token-Ttl-Seconds': ttl });
const securityKey = async (token?: string) => call('/openstack/latest/securitykey', 'GET', token === undefined ? {} : { 'X-Metadata-Token': token });
const podIdentity = async (authorization?: string, body = '{}') =>
  call(new URL(agency!.podIdentityUrl).pathname, 'POST', authorization === undefined ? {} : { Authorization: authorization }, body);

describe('instance metadata service', () => {
  it('hands out a session token, then a temporary key that lives the configured time on the simulator clock', async () => {
    const clock = await start({ credentialLifetimeMs: 2 * HOUR });
    expect(agency!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await sessionToken();
    expect(token.status).toBe(200);
    expect(token.text).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    clock.advance(1000);
    const key = await securityKey(token.text);
    expect(key.status).toBe(200);
    const { credential } = JSON.parse(key.text) as { credential: Record<string, string> };
    expect(credential).toEqual({
      access: expect.stringMatching(/^[A-Z0-9]{20,}$/),
      secret: expect.any(String),
      securitytoken: expect.any(String),
      expires_at: iamTime(T0 + 1000 + 2 * HOUR),
    });
    expect(agency!.keys.lookup(credential.access!)).toMatchObject({
      secretKey: credential.secret,
      securityToken: credential.securitytoken,
      source: 'metadata',
    });
    expect(agency!.served).toEqual({ 'metadata-token': 1, 'metadata-key': 1, 'pod-identity': 0 });
    expect(agency!.requests.map((r) => [r.method, r.op])).toEqual([
      ['PUT', 'metadata-token'],
      ['GET', 'metadata-key'],
    ]);
  });

  it('issues a new key on every call, each with its own lifetime', async () => {
    const clock = await start();
    const token = (await sessionToken()).text;
    const a = JSON.parse((await securityKey(token)).text).credential;
    clock.advance(HOUR);
    const b = JSON.parse((await securityKey(token)).text).credential;
    expect(a.access).not.toBe(b.access);
    expect([a.expires_at, b.expires_at]).toEqual([iamTime(T0 + 6 * HOUR), iamTime(T0 + 7 * HOUR)]);
    expect(agency!.keys.issued).toHaveLength(2);
  });

  it('refuses GET securitykey without a session token, with an unknown one, or after its TTL, never with the agency text', async () => {
    const clock = await start();
    const token = (await sessionToken('60')).text;
    for (const sent of [undefined, 'not-a-token']) {
      const res = await securityKey(sent);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(NO_AGENCY);
    }
    clock.advance(59_999);
    expect((await securityKey(token)).status).toBe(200);
    clock.advance(1);
    expect((await securityKey(token)).status).toBe(401);
    const fresh = (await sessionToken()).text;
    agency!.expireSessionTokens();
    expect((await securityKey(fresh)).status).toBe(401);
  });

  it('answers 400 to a missing or out-of-range TTL', async () => {
    await start();
    for (const ttl of ['', '0', '21601', '1.5', 'abc']) expect((await sessionToken(ttl)).status).toBe(400);
    expect((await call('/meta-data/latest/api/token', 'PUT')).status).toBe(400);
  });

  it("with sessionTokens 'unsupported' answers the PUT with 404 and serves keys without a token (the SDK's fallback)", async () => {
    await start({ sessionTokens: 'unsupported' });
    expect((await sessionToken()).status).toBe(404);
    expect((await securityKey()).status).toBe(200);
  });

  it("with sessionTokens 'optional' serves keys without a token but still checks one that is sent", async () => {
    await start({ sessionTokens: 'optional' });
    expect((await securityKey()).status).toBe(200);
    expect((await securityKey('stale')).status).toBe(401);
  });

  it('without an agency answers 401 "Please configure Cloud Service Agency first" and issues nothing', async () => {
    await start({ agency: false });
    const token = (await sessionToken()).text;
    const res = await securityKey(token);
    expect(res.status).toBe(401);
    expect(res.text).toContain('Please configure Cloud Service Agency first');
    agency!.setAgency(true);
    expect((await securityKey(token)).status).toBe(200);
    expect(agency!.keys.issued).toHaveLength(1);
  });

  it('refuses, fails or drops on demand: a set fault stays, queued faults answer one request each', async () => {
    await start();
    agency!.setFault('metadata-token', { kind: 'error', status: 500 });
    const failed = await sessionToken();
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toEqual({ error: { code: 500, message: 'Internal Server Error' } });
    expect((await sessionToken()).status).toBe(500);
    agency!.setFault('metadata-token', undefined);
    const token = (await sessionToken()).text;
    agency!.queueFaults('metadata-key', [{ kind: 'error', status: 403, body: 'refused' }, { kind: 'drop' }]);
    const refused = await securityKey(token);
    expect([refused.status, refused.text]).toEqual([403, 'refused']);
    await expect(securityKey(token)).rejects.toThrow();
    expect((await securityKey(token)).status).toBe(200);
    expect(agency!.served['metadata-key']).toBe(3);
  });

  it('answers 404 elsewhere and to the wrong method, and records those requests without an op', async () => {
    await start();
    expect((await call('/openstack/latest/securitykey', 'POST')).status).toBe(404);
    expect((await call('/latest/meta-data', 'GET')).status).toBe(404);
    expect(agency!.requests.map((r) => r.op)).toEqual([undefined, undefined]);
    agency!.clearRequests();
    expect(agency!.requests).toEqual([]);
  });
});

describe('CCE pod identity', () => {
  it('answers POST with the right Authorization and body {} with the credential object', async () => {
    await start({ podIdentityPath: '/v1/pod-credentials', credentialLifetimeMs: HOUR });
    expect(agency!.podIdentityUrl).toBe(`${agency!.url}/v1/pod-credentials`);
    const res = await podIdentity(POD_TOKEN);
    expect(res.status).toBe(200);
    const { credential } = JSON.parse(res.text);
    expect(credential.expires_at).toBe(iamTime(T0 + HOUR));
    expect(agency!.keys.lookup(credential.access)?.source).toBe('pod-identity');
    expect(agency!.requests[0]).toMatchObject({ method: 'POST', body: '{}', op: 'pod-identity', headers: { authorization: POD_TOKEN } });
  });

  it('answers 401 without a token, 403 to a wrong one, 400 to a body that is not a JSON object', async () => {
    await start();
    expect((await podIdentity()).status).toBe(401);
    expect((await podIdentity('')).status).toBe(401);
    expect((await podIdentity('someone-else')).status).toBe(403);
    expect((await podIdentity(POD_TOKEN, 'nope')).status).toBe(400);
    agency!.setPodIdentityTokens(['rotated']);
    expect((await podIdentity(POD_TOKEN)).status).toBe(403);
    expect((await podIdentity('rotated')).status).toBe(200);
    expect(agency!.keys.issued).toHaveLength(1);
  });

  it('fails on demand', async () => {
    await start();
    agency!.queueFaults('pod-identity', [{ kind: 'error', status: 503 }]);
    expect((await podIdentity(POD_TOKEN)).status).toBe(503);
    expect((await podIdentity(POD_TOKEN)).status).toBe(200);
  });

  it('refuses a path that would shadow the metadata service', async () => {
    await expect(startAgencySimulator({ podIdentityPath: '/openstack/latest/securitykey' })).rejects.toThrow(/podIdentityPath/);
  });
});
