import { afterEach, describe, expect, it } from 'vitest';
import { iamTime, startIamSimulator, type IamSimulator } from '../../src/simulator/index.js';
import { fakeClock, T0 } from './support.js';

const USER = { domainName: 'dom', userName: 'poller', password: 'right-password' };

let iam: IamSimulator | undefined;
afterEach(async () => {
  await iam?.close();
  iam = undefined;
});

function body(password: string, scope: Record<string, string> = { id: 'p1' }, user = USER.userName): string {
  return JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: USER.domainName } } } },
      scope: { project: scope },
    },
  });
}

async function post(text: string, path = '/auth/tokens?nocatalog=true'): Promise<{ status: number; token: string | null; json: any }> {
  const res = await fetch(`${iam!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, token: res.headers.get('x-subject-token'), json: await res.json() };
}

describe('IAM simulator', () => {
  it('issues a token in X-Subject-Token with expires_at and issued_at in microseconds, on the simulator clock', async () => {
    const clock = fakeClock();
    iam = await startIamSimulator({ users: [USER], now: clock.now, tokenLifetimeMs: 90_000 });
    expect(iam.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3$/);
    const res = await post(body('right-password', { name: 'cn-east-3' }));
    expect(res.status).toBe(201);
    expect(res.token).toMatch(/^MII[A-Za-z0-9_-]{40,}$/);
    expect(res.json.token).toMatchObject({
      issued_at: iamTime(T0),
      expires_at: iamTime(T0 + 90_000),
      methods: ['password'],
      project: { name: 'cn-east-3' },
    });
    expect(res.json.token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(iam.issued).toEqual([res.token]);
    expect(iam.scopes).toEqual([{ name: 'cn-east-3' }]);
  });

  it('expires tokens by the simulator clock and revokes them on demand', async () => {
    const clock = fakeClock();
    iam = await startIamSimulator({ users: [USER], now: clock.now, tokenLifetimeMs: 10_000 });
    const a = (await post(body('right-password'))).token!;
    iam.setTokenLifetime(60_000);
    const b = (await post(body('right-password'))).token!;
    expect(iam.check(a, T0 + 9_999)).toBe('valid');
    expect(iam.check(a, T0 + 10_000)).toBe('expired');
    expect(iam.check(b, T0 + 10_000)).toBe('valid');
    iam.revoke(b);
    expect(iam.check(b, T0)).toBe('revoked');
    expect(iam.check('MIIsomething-else', T0)).toBe('unknown');
    const c = (await post(body('right-password'))).token!;
    iam.revokeAll();
    expect(iam.check(c, T0)).toBe('revoked');
  });

  it("refuses a wrong password or unknown user with IAM's 401 body and issues nothing", async () => {
    iam = await startIamSimulator({ users: [USER] });
    for (const text of [body('wrong'), body('right-password', { id: 'p1' }, 'someone-else')]) {
      const res = await post(text);
      expect(res.status).toBe(401);
      expect(res.token).toBeNull();
      expect(res.json).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The username or password is wrong.' } });
    }
    expect(iam.issued).toEqual([]);
    expect(iam.requestCount).toBe(2);
  });

  it('answers 400 to a body without identity or scope and 404 elsewhere', async () => {
    iam = await startIamSimulator({ users: [USER] });
    expect((await post('{"auth":{}}')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post(JSON.stringify({ auth: JSON.parse(body('right-password')).auth.identity }))).status).toBe(400);
    expect((await post(body('right-password'), '/projects')).status).toBe(404);
  });

  it('can hang, so clients meet a timeout', async () => {
    iam = await startIamSimulator({ users: [USER] });
    iam.setHang(true);
    const controller = new AbortController();
    const pending = fetch(`${iam.url}/auth/tokens`, { method: 'POST', body: body('right-password'), signal: controller.signal });
    for (let i = 0; i < 200 && iam.requestCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(iam.requestCount).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });
});
