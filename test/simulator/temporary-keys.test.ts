import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import {
  createGatewayAuth,
  createTemporaryKeys,
  startAgencySimulator,
  startIamSimulator,
  startSimulator,
  type AgencySimulator,
  type GatewayAuth,
  type IamSimulator,
  type Simulator,
} from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, PROJECT } from './support.js';

/*
 * Keys the credential services issue, used on ShowLogsExportStatus through the gateway: the exporter's signer on
 * one side, the simulator's verifier on the other, one fake clock for all.
 */

const LONG_AK = 'HPUALONGLIVEDKEY0001';
const LONG_SK = 'LongLivedSecretKey00000000000000000001';
const HOUR = 3_600_000;

let sim: Simulator | undefined;
let agency: AgencySimulator | undefined;
let iam: IamSimulator | undefined;
afterEach(async () => {
  await Promise.all([sim?.close(), agency?.close(), iam?.close()]);
  sim = agency = iam = undefined;
});

interface Credential {
  readonly access: string;
  readonly secret: string;
  readonly securitytoken: string;
  readonly expires_at: string;
}

async function setup() {
  const clock = fakeClock();
  const keys = createTemporaryKeys(clock.now);
  agency = await startAgencySimulator({ now: clock.now, keys, credentialLifetimeMs: HOUR, podIdentityTokens: ['pod-token'] });
  iam = await startIamSimulator({ now: clock.now, keys, identityProviders: [{ id: 'idp', idTokens: ['id-token'] }] });
  const gateway: GatewayAuth = createGatewayAuth({ iam, temporaryKeys: keys, credentials: [{ accessKey: LONG_AK, secretKey: LONG_SK }] });
  sim = await startSimulator({
    now: clock.now,
    authenticate: gateway.authenticate,
    exports: [{ ...key('1'), behaviour: { kind: 'progress', durationMs: 10_000 } }],
  });
  const path = exportPath(key('1'));
  /** ShowLogsExportStatus signed with this key (and security token, unless `token` says otherwise). */
  const show = (ak: string, sk: string, token?: string, extra: Record<string, string> = {}) => {
    const headers = { 'x-project-id': PROJECT };
    const url = new URL(sim!.url + path);
    const auth = signRequest({
      method: 'GET',
      url,
      headers,
      accessKey: ak,
      secretKey: sk,
      date: new Date(clock.now()),
      ...(token !== undefined && { securityToken: token }),
    });
    return get(sim!.url, path, { ...headers, ...auth, ...extra });
  };
  const fromMetadata = async (): Promise<Credential> => {
    const session = await (
      await fetch(`${agency!.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '21600' } })
    ).text();
    const res = await fetch(`${agency!.url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': session } });
    return ((await res.json()) as { credential: Credential }).credential;
  };
  return { clock, gateway, show, fromMetadata };
}

describe('temporary keys at the gateway', () => {
  it('a metadata key works on ShowLogsExportStatus until it expires, then answers 401 APIGW.0307', async () => {
    const { clock, show, fromMetadata } = await setup();
    const c = await fromMetadata();
    expect((await show(c.access, c.secret, c.securitytoken)).status).toBe(200);
    clock.advance(HOUR - 1);
    expect((await show(c.access, c.secret, c.securitytoken)).status).toBe(200);
    clock.advance(1);
    const expired = await show(c.access, c.secret, c.securitytoken);
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({ error_code: 'APIGW.0307', request_id: expect.any(String) });
    // A renewal gives a key that works again.
    const renewed = await fromMetadata();
    expect((await show(renewed.access, renewed.secret, renewed.securitytoken)).status).toBe(200);
  });

  it('refuses a temporary key without X-Security-Token, with a wrong one, or with one left out of SignedHeaders', async () => {
    const { show, fromMetadata, gateway } = await setup();
    const c = await fromMetadata();
    const refusals = [
      await show(c.access, c.secret),
      await show(c.access, c.secret, `${c.securitytoken}x`),
      await show(c.access, c.secret, undefined, { 'X-Security-Token': c.securitytoken }),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(401);
      expect(r.json()).toMatchObject({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify security token fail' });
    }
    // Another key's token, validly signed, does not do either.
    const other = await fromMetadata();
    expect((await show(c.access, c.secret, other.securitytoken)).status).toBe(401);
    expect(gateway.failedSignatureChecks).toBe(0);
  });

  it('refuses a wrong secret for a temporary key as for any other, counting towards the lock-out', async () => {
    const { show, fromMetadata, gateway } = await setup();
    const c = await fromMetadata();
    const bad = await show(c.access, 'not-the-secret', c.securitytoken);
    expect(bad.json()).toMatchObject({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' });
    expect(gateway.failedSignatureChecks).toBe(1);
  });

  it('keys from pod identity and from IAM federation work the same way, and long-lived AK/SK keep working', async () => {
    const { show, clock } = await setup();
    const pod = await fetch(agency!.podIdentityUrl, { method: 'POST', headers: { Authorization: 'pod-token' }, body: '{}' });
    const p = ((await pod.json()) as { credential: Credential }).credential;
    const t = await fetch(`${iam!.endpoint}/v3.0/OS-AUTH/id-token/tokens`, {
      method: 'POST',
      headers: { 'X-Idp-Id': 'idp' },
      body: JSON.stringify({ auth: { id_token: { id: 'id-token' } } }),
    });
    const token = t.headers.get('x-subject-token')!;
    const s = await fetch(`${iam!.endpoint}/v3.0/OS-CREDENTIAL/securitytokens`, {
      method: 'POST',
      body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: token, duration_seconds: 7200 } } } }),
    });
    const f = ((await s.json()) as { credential: Credential }).credential;
    for (const c of [p, f]) expect((await show(c.access, c.secret, c.securitytoken)).status).toBe(200);
    clock.advance(HOUR);
    expect((await show(p.access, p.secret, p.securitytoken)).status).toBe(401);
    expect((await show(f.access, f.secret, f.securitytoken)).status).toBe(200);
    clock.advance(HOUR);
    expect((await show(f.access, f.secret, f.securitytoken)).status).toBe(401);
    expect((await show(LONG_AK, LONG_SK)).status).toBe(200);
  });

  it('expire() ends a key at once', async () => {
    const { show, fromMetadata } = await setup();
    const c = await fromMetadata();
    agency!.keys.expire(c.access);
    expect((await show(c.access, c.secret, c.securitytoken)).status).toBe(401);
  });
});
