import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../../src/clouddc/auth/methods.js';
import { AuthenticationError, type Authenticator } from '../../../src/clouddc/authenticator.js';
import { createAccountClient } from '../../../src/clouddc/client.js';
import type { AuthObserver } from '../../../src/clouddc/observer.js';
import type { AuthSettings } from '../../../src/domain/config.js';
import { createGatewayAuth, startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { ID_TOKEN, IDP, POD_TOKEN, startAgencyWorld, type AgencyWorld } from '../../support/agency-world.js';
import { endlessExport, replaceFile } from '../../support/auth-world.js';
import { account } from '../../support/config.js';
import { captureLogger, pollSettings, RecordingObserver } from '../harness.js';

class Events implements AuthObserver {
  readonly renewals: string[] = [];
  readonly expiries: number[] = [];
  readonly pauses: number[] = [];
  onAccount() {}
  onTokenIssued() {}
  onTokenRefresh() {}
  onCredentialsIssued(_a: string, ms: number) {
    this.expiries.push(ms);
  }
  onCredentialRenewal(_a: string, result: string) {
    this.renewals.push(result);
  }
  onPause(_a: string, until: number) {
    this.pauses.push(until);
  }
  onSecretFile() {}
  onSecretFileRefused() {}
}

const HOUR = 3_600_000;
let world: AgencyWorld | undefined;
const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c.close()));
  await world?.close();
  world = undefined;
});

const req = (w: AgencyWorld) => ({ method: 'GET', url: new URL(`${w.sim.url}/v1/p/x`), headers: {} });

function make(w: AgencyWorld, auth: AuthSettings, endpoint = w.sim.url) {
  const events = new Events();
  const log = captureLogger();
  const settings = account(endpoint, { name: 'acct', auth });
  const authenticator = authenticatorFor(settings, { logger: log.logger, observer: events, now: w.clock.now, timeoutMs: 2000 });
  const observer = new RecordingObserver();
  const client = createAccountClient({ account: settings, poll: pollSettings({ retries: 0 }), userAgent: 'test', authenticator, observer, now: w.clock.now });
  closing.push(client);
  return { auth: authenticator, client, events, log, observer, target: endlessExport(w, 'acct') };
}

const metadata = (w: AgencyWorld): AuthSettings => ({ kind: 'metadata', source: 'test', endpoint: w.agency.url });

/** authorize() and a 200 for it, as the client reports: until a signed request is accepted, others wait for it. */
async function accepted(auth: Authenticator, w: AgencyWorld): Promise<Record<string, string>> {
  const headers = await auth.authorize(req(w));
  auth.onResult?.({ authorization: headers, status: 200 });
  return headers;
}

async function rejection(auth: Authenticator, w: AgencyWorld): Promise<string> {
  const err = await auth.authorize(req(w)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthenticationError);
  return (err as Error).message;
}

describe('instance metadata', () => {
  it('asks a session token first and every key with it; concurrent polls share one renewal', async () => {
    world = await startAgencyWorld();
    const { auth, events } = make(world, metadata(world));
    const pending = Array.from({ length: 50 }, () => auth.authorize(req(world!)));
    // The first request is the probe of the new keys; the others go out once it is accepted.
    const probe = await Promise.race(pending);
    auth.onResult?.({ authorization: probe, status: 200 });
    const all = await Promise.all(pending);
    expect(new Set(all.map((h) => /Access=(\w+)/.exec(h['Authorization'] ?? '')?.[1])).size).toBe(1);
    expect(world.agency.served).toMatchObject({ 'metadata-token': 1, 'metadata-key': 1 });
    const [put, get] = world.agency.requests;
    expect(put).toMatchObject({ method: 'PUT', path: '/meta-data/latest/api/token', headers: { 'x-metadata-token-ttl-seconds': '21600' } });
    expect(get).toMatchObject({ method: 'GET', path: '/openstack/latest/securitykey', headers: { 'x-metadata-token': expect.any(String) } });
    expect(all[0]!['X-Security-Token']).toBe(world.keys.issued[0]!.securityToken);
    expect(all[0]!['Authorization']).toContain('SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,');
    expect(events.renewals).toEqual(['success']);
    expect(events.expiries).toEqual([world.clock.now() + 6 * HOUR]);
  });

  it('goes on without a session token where the service has none (404), and renews an expired one once', async () => {
    world = await startAgencyWorld({ agency: { sessionTokens: 'unsupported' } });
    const { auth } = make(world, metadata(world));
    await accepted(auth, world);
    expect(world.agency.requests.map((r) => [r.method, r.headers['x-metadata-token']])).toEqual([
      ['PUT', undefined],
      ['GET', undefined],
    ]);

    const w2 = await startAgencyWorld();
    closing.push(w2);
    const second = make(w2, metadata(w2));
    await accepted(second.auth, w2);
    w2.agency.expireSessionTokens();
    w2.clock.advance(6 * HOUR); // the keys are due; the session token the exporter holds is gone
    await accepted(second.auth, w2);
    expect(w2.agency.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /meta-data/latest/api/token',
      'GET /openstack/latest/securitykey',
      'GET /openstack/latest/securitykey',
      'PUT /meta-data/latest/api/token',
      'GET /openstack/latest/securitykey',
    ]);
    expect(second.events.renewals).toEqual(['success', 'success']);
  });

  it('without an agency: a clear failure naming the console fix, counted, and no second request before the backoff', async () => {
    world = await startAgencyWorld({ agency: { agency: false } });
    const { auth, events, client, target } = make(world, metadata(world));
    expect(await rejection(auth, world)).toMatch(
      /^no temporary credentials: the metadata service at 127\.0\.0\.1:\d+ answered HTTP 401: Please configure Cloud Service Agency first/,
    );
    const poll = await client.fetchStatus(target);
    expect(poll).toMatchObject({ ok: false, reason: '401', message: expect.stringContaining('Please configure Cloud Service Agency first') });
    expect(events.renewals).toEqual(['failure']);
    expect(world.agency.served['metadata-key']).toBe(1);
    expect(world.sim.requestCount).toBe(0);
    // A refusal waits the lock-out pause (5.5 min) before asking again.
    world.clock.advance(5 * 60_000);
    await rejection(auth, world);
    expect(world.agency.served['metadata-key']).toBe(1);
    world.agency.setAgency(true);
    world.clock.advance(31_000);
    await accepted(auth, world);
    expect(events.renewals).toEqual(['failure', 'success']);
  });

  it('a refusal at renewal keeps the current keys until they expire, counts, and backs off', async () => {
    world = await startAgencyWorld({ lifetimeMs: HOUR });
    const { events, client, target, log } = make(world, metadata(world));
    expect((await client.fetchStatus(target)).ok).toBe(true);
    const first = world.keys.issued[0]!.accessKey;
    world.agency.setFault('metadata-key', { kind: 'error', status: 403 });
    world.clock.advance(50 * 60_000); // past the renewal point (48 min), before expiry
    for (let i = 0; i < 5; i++) {
      expect((await client.fetchStatus(target)).ok).toBe(true);
      await new Promise((r) => setImmediate(r));
    }
    expect(world.keys.issued).toHaveLength(1);
    expect(world.sim.requests.at(-1)?.headers['authorization']).toContain(`Access=${first},`);
    expect(events.renewals).toEqual(['success', 'failure']);
    expect(events.pauses).toEqual([]);
    expect(log.lines().some((l) => String(l['msg']).includes('the current keys stay in use; next attempt in 5m30s'))).toBe(true);
    // After the backoff the service is asked again, and answers.
    world.agency.setFault('metadata-key', undefined);
    world.clock.advance(6 * 60_000);
    expect((await client.fetchStatus(target)).ok).toBe(true);
    // The renewal runs in the background of that poll: wait (real time, bounded) for its answer.
    for (let i = 0; i < 200 && events.renewals.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(events.renewals).toEqual(['success', 'failure', 'success']);
  });

  it('a 401 for keys that worked renews them once and the poll succeeds', async () => {
    world = await startAgencyWorld();
    const { client, target, events, observer } = make(world, metadata(world));
    expect((await client.fetchStatus(target)).ok).toBe(true);
    world.keys.expire(world.keys.issued[0]!.accessKey); // revoked early
    expect((await client.fetchStatus(target)).ok).toBe(true);
    expect(observer.requests.map((r) => r.code)).toEqual(['200', '401', '200']);
    expect(events.renewals).toEqual(['success', 'success']);
    expect(events.pauses).toEqual([]);
  });

  it('freshly fetched keys the gateway refuses pause the account after one request: the lock-out protection applies', async () => {
    world = await startAgencyWorld();
    // A CloudDC that does not know the keys (another region's gateway, say).
    const stranger: Simulator = await startSimulator({ now: world.clock.now, authenticate: createGatewayAuth({}).authenticate });
    closing.push(stranger);
    const { client, events } = make(world, metadata(world), stranger.url);
    const targets = Array.from({ length: 4 }, (_, i) => endlessExport({ sim: stranger }, 'acct', `s${i}`));
    const polls = await Promise.all(targets.map((t) => client.fetchStatus(t)));
    expect(polls.every((p) => !p.ok)).toBe(true);
    expect(stranger.requestCount).toBe(1);
    expect(events.pauses).toHaveLength(1);
  });
});

describe('pod identity', () => {
  it('sends the token file as Authorization with body {}, re-read at every call; a wrong token is a refusal', async () => {
    world = await startAgencyWorld({ lifetimeMs: HOUR });
    const file = join(world.dir, 'pod-token');
    await replaceFile(file, `${POD_TOKEN}\n`);
    const { auth, events } = make(world, { kind: 'pod_identity', source: 'test', endpoint: world.agency.podIdentityUrl, token: { kind: 'file', path: file } });
    await accepted(auth, world);
    expect(world.agency.requests[0]).toMatchObject({ method: 'POST', body: '{}', headers: { authorization: POD_TOKEN } });
    await replaceFile(file, 'rotated-pod-token');
    world.agency.setPodIdentityTokens(['rotated-pod-token']);
    world.clock.advance(HOUR);
    await accepted(auth, world);
    expect(world.agency.requests[1]?.headers['authorization']).toBe('rotated-pod-token');
    world.agency.setPodIdentityTokens([]);
    world.clock.advance(HOUR);
    const message = await rejection(auth, world);
    expect(message).toMatch(/^no temporary credentials: pod identity at 127\.0\.0\.1:\d+ answered HTTP 403 \(403: the authorization token is not valid\)$/);
    expect(message).not.toContain('rotated-pod-token');
    expect(events.renewals).toEqual(['success', 'success', 'failure']);
  });
});

describe('OIDC federation', () => {
  it('exchanges the id token (re-read each time) at IAM, then the IAM token for keys of the configured duration', async () => {
    world = await startAgencyWorld();
    const file = join(world.dir, 'id-token');
    await replaceFile(file, `${ID_TOKEN}\n`);
    const oidc: AuthSettings = {
      kind: 'oidc',
      source: 'test',
      idpId: IDP,
      idToken: { kind: 'file', path: file },
      iamEndpoint: world.iam.endpoint,
      durationSeconds: 3600,
    };
    const { auth, events } = make(world, oidc);
    const headers = await accepted(auth, world);
    const [exchange, keys] = world.iam.requests;
    expect(exchange).toMatchObject({ method: 'POST', path: '/v3.0/OS-AUTH/id-token/tokens', headers: { 'x-idp-id': IDP } });
    expect(JSON.parse(exchange!.body)).toEqual({ auth: { id_token: { id: ID_TOKEN } } });
    expect(keys).toMatchObject({ method: 'POST', path: '/v3.0/OS-CREDENTIAL/securitytokens' });
    const token = JSON.parse(keys!.body) as { auth: { identity: { methods: string[]; token: { id: string; duration_seconds: number } } } };
    expect(token.auth.identity).toEqual({ methods: ['token'], token: { id: world.iam.issued[0], duration_seconds: 3600 } });
    expect(events.expiries).toEqual([world.clock.now() + HOUR]);
    expect(headers['X-Security-Token']).toBe(world.keys.issued[0]!.securityToken);

    // The identity provider no longer accepts the token: a refusal, without the token in the message.
    world.iam.setIdTokens(IDP, ['another']);
    world.clock.advance(HOUR);
    const message = await rejection(auth, world);
    expect(message).toMatch(/^no temporary credentials: IAM at 127\.0\.0\.1:\d+ \(id token exchange\) answered HTTP 401/);
    expect(message).not.toContain(ID_TOKEN);
    // The projected token rotates: the changed file is worth asking at once, backoff or not.
    await replaceFile(file, 'another\n');
    await accepted(auth, world);
    expect(events.renewals).toEqual(['success', 'failure', 'success']);
  });
});
