import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import {
  createGatewayAuth,
  startIamSimulator,
  startSimulator,
  type GatewayAuth,
  type GatewayAuthOptions,
  type IamSimulator,
  type Simulator,
} from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, PROJECT } from './support.js';

/*
 * The signatures here come from the exporter's signer; the gateway checks them with the simulator's own
 * verifier, a separate implementation, so agreement between the two is part of what is tested.
 */

const AK = 'HPUAGATEWAYTESTAK001';
const SK = 'GatewayTestSecretKey000000000000000001';
const USER = { domainName: 'dom', userName: 'poller', password: 'pw' };

let sim: Simulator | undefined;
let iam: IamSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  await iam?.close();
  sim = iam = undefined;
});

async function setup(opts: Partial<GatewayAuthOptions> = {}) {
  const clock = fakeClock();
  iam = await startIamSimulator({ users: [USER], now: clock.now, tokenLifetimeMs: 60_000 });
  const gateway: GatewayAuth = createGatewayAuth({ iam, credentials: [{ accessKey: AK, secretKey: SK }], ...opts });
  sim = await startSimulator({
    now: clock.now,
    authenticate: gateway.authenticate,
    exports: [{ ...key('1'), behaviour: { kind: 'progress', durationMs: 10_000 } }],
  });
  const path = exportPath(key('1'));
  const signed = (sk = SK, securityToken?: string, at = clock.now()) => {
    const url = new URL(sim!.url + path);
    const headers = { 'x-project-id': PROJECT };
    return get(sim!.url, path, {
      ...headers,
      ...signRequest({ method: 'GET', url, headers, accessKey: AK, secretKey: sk, date: new Date(at), ...(securityToken && { securityToken }) }),
    });
  };
  const token = async () => {
    const res = await fetch(`${iam!.url}/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'poller', password: 'pw', domain: { name: 'dom' } } } },
          scope: { project: { id: PROJECT } },
        },
      }),
    });
    await res.text();
    return res.headers.get('x-subject-token')!;
  };
  return { clock, gateway, path, signed, token };
}

describe('gateway authentication: IAM tokens', () => {
  it('accepts a valid token, answers APIGW.0307 once it expired or was revoked, APIGW.0301 when unknown or missing', async () => {
    const { clock, path, token } = await setup();
    const t = await token();
    expect((await get(sim!.url, path, { 'x-auth-token': t })).status).toBe(200);
    clock.advance(60_000);
    const expired = await get(sim!.url, path, { 'x-auth-token': t });
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({ error_code: 'APIGW.0307', error_msg: 'The token must be updated.' });
    const fresh = await token();
    iam!.revoke(fresh);
    expect((await get(sim!.url, path, { 'x-auth-token': fresh })).json()).toMatchObject({ error_code: 'APIGW.0307' });
    expect((await get(sim!.url, path, { 'x-auth-token': 'MIIforged' })).json()).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: decrypt token fail',
    });
    expect((await get(sim!.url, path)).json()).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
    });
  });

  it('accepts configured static tokens', async () => {
    const { path } = await setup({ tokens: ['static-1'] });
    expect((await get(sim!.url, path, { 'x-auth-token': 'static-1' })).status).toBe(200);
  });
});

describe('gateway authentication: AK/SK', () => {
  it('accepts a correct signature and refuses a wrong one with APIGW.0301 "verify aksk signature fail"', async () => {
    const { signed, gateway } = await setup();
    expect((await signed()).status).toBe(200);
    const bad = await signed('wrong-secret-key');
    expect(bad.status).toBe(401);
    expect(bad.json()).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
    });
    expect(gateway.failedSignatureChecks).toBe(1);
  });

  it('refuses an X-Sdk-Date more than 15 minutes off and counts it as a failed check', async () => {
    const { signed, clock, gateway } = await setup();
    expect((await signed(SK, undefined, clock.now() - 14 * 60_000)).status).toBe(200);
    const skewed = await signed(SK, undefined, clock.now() + 16 * 60_000);
    expect(skewed.status).toBe(401);
    expect(skewed.json()).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringMatching(/date/) });
    expect(gateway.failedSignatureChecks).toBe(1);
  });

  it('locks the key for 5 minutes after 5 failed checks in a row, even for the right key', async () => {
    const { signed, gateway, clock } = await setup();
    for (let i = 0; i < 4; i++) expect((await signed('wrong')).status).toBe(401);
    expect(gateway.lockouts).toBe(0);
    expect((await signed()).status).toBe(200); // a success resets the run
    for (let i = 0; i < 5; i++) await signed('wrong');
    expect(gateway.lockouts).toBe(1);
    expect(gateway.isLocked(AK, clock.now())).toBe(true);
    const locked = await signed();
    expect(locked.status).toBe(401);
    expect(locked.json()).toMatchObject({ error_code: 'APIGW.0301' });
    clock.advance(5 * 60_000);
    expect((await signed()).status).toBe(200);
    expect(gateway.failedSignatureChecks).toBe(9);
  });

  it('counts failures more than 5 minutes apart as separate runs, unless told to be strict', async () => {
    const lenient = await setup();
    for (let i = 0; i < 8; i++) {
      await lenient.signed('wrong');
      lenient.clock.advance(5 * 60_000 + 1);
    }
    expect(lenient.gateway.lockouts).toBe(0);
    await sim!.close();
    await iam!.close();

    const strict = await setup({ failureWindowMs: Infinity });
    for (let i = 0; i < 5; i++) {
      await strict.signed('wrong');
      strict.clock.advance(60 * 60_000);
    }
    expect(strict.gateway.lockouts).toBe(1);
  });

  it('with temporary credentials requires X-Security-Token, sent and signed', async () => {
    const { signed } = await setup({ credentials: [{ accessKey: AK, secretKey: SK, securityToken: 'sec-token-1' }] });
    expect((await signed(SK, 'sec-token-1')).status).toBe(200);
    expect((await signed()).status).toBe(401);
    expect((await signed(SK, 'other-token')).status).toBe(401);
  });
});
