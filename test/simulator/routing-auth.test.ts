import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, PROJECT, SERVER } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const progress = { kind: 'progress', durationMs: 10_000 } as const;

async function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ now: fakeClock().now, exports: [{ ...key('1'), behaviour: progress }], ...opts });
  return sim;
}

describe('routing', () => {
  it('listens on 127.0.0.1 on a free port by default', async () => {
    const s = await start();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.url).not.toMatch(/:0$/);
  });

  it.each([
    ['an unknown path', 'GET', '/v1/p/physicalservers/status/x'],
    ['an unknown list below the servers', 'GET', '/v1/p/physicalservers/tags'],
    ['a path below the download path', 'GET', `${exportPath(key('1'))}/content/x`],
    ['a POST to one export', 'POST', exportPath(key('1'))],
    ['a trailing slash', 'GET', `${exportPath(key('1'))}/`],
    ['an empty segment', 'GET', `/v1/${PROJECT}/physicalservers//logs/exports/1`],
    ['broken percent-encoding', 'GET', `/v1/${PROJECT}/physicalservers/${SERVER}/logs/exports/%zz`],
    ['another method', 'DELETE', exportPath(key('1'))],
  ])('answers %s with the gateway 404', async (_name, method, path) => {
    const s = await start();
    const res = await get(s.url, path, {}, method);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({
      error_code: 'APIGW.0101',
      error_msg: 'The API does not exist or has not been published in the environment',
    });
  });

  it('answers an unknown export with iMetal.0100 naming the server', async () => {
    const s = await start();
    const res = await get(s.url, exportPath(key('2')));
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error_code: 'iMetal.0100', error_msg: `Physical servers ID not found: [${SERVER}]` });
  });

  it('percent-decodes each path segment and ignores the query', async () => {
    const odd = key('a b?c#d%2F', 'srv ü', 'proj%1');
    const s = await start({ exports: [{ ...odd, behaviour: progress }] });
    expect(exportPath(odd)).toContain('/a%20b%3Fc%23d%252F');
    const res = await get(s.url, `${exportPath(odd)}?x=1`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ export_id: 'a b?c#d%2F' });
    expect(s.requests[0]?.key).toEqual(odd);
    expect(s.requests[0]?.path).toBe(`${exportPath(odd)}?x=1`);
  });

  it('routes the decoded path as the gateway does: an encoded "/" in any id matches no API (404 APIGW.0101)', async () => {
    const slashed = [key('a/b'), key('1', 'rack/7'), key('1', SERVER, 'p/1')];
    const s = await start({ exports: slashed.map((k) => ({ ...k, behaviour: progress })) });
    for (const k of slashed) {
      for (const path of [exportPath(k), `${exportPath(k)}/content`]) {
        const res = await get(s.url, path);
        expect(res.status).toBe(404);
        expect(res.json()).toMatchObject({ error_code: 'APIGW.0101' });
      }
    }
    const start404 = await get(s.url, `/v1/${PROJECT}/physicalservers/rack%2F7/logs/exports`, {}, 'POST');
    expect(start404.json()).toMatchObject({ error_code: 'APIGW.0101' });
    expect(s.requests.every((r) => r.key === undefined && r.op === undefined)).toBe(true);
  });

  it('forgets a removed export', async () => {
    const s = await start();
    s.removeExport(key('1'));
    expect((await get(s.url, exportPath(key('1')))).status).toBe(404);
  });

  it('puts a unique X-Request-Id on every answer, errors included', async () => {
    const s = await start({ token: 't' });
    const answers = await Promise.all([
      get(s.url, exportPath(key('1')), { 'x-auth-token': 't' }),
      get(s.url, exportPath(key('1'))),
      get(s.url, exportPath(key('9')), { 'x-auth-token': 't' }),
      get(s.url, '/nope'),
    ]);
    const ids = answers.map((a) => a.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('auth', () => {
  it('accepts anything when no token is configured', async () => {
    const s = await start();
    expect((await get(s.url, exportPath(key('1')))).status).toBe(200);
  });

  it('rejects a missing token with the gateway body, echoing the request id', async () => {
    const s = await start({ token: 'secret-token' });
    const res = await get(s.url, exportPath(key('1')));
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
      request_id: res.headers['x-request-id'],
    });
  });

  it('rejects a wrong token as undecryptable and accepts the right one', async () => {
    const s = await start({ token: 'secret-token' });
    const wrong = await get(s.url, exportPath(key('1')), { 'X-Auth-Token': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error_msg: 'Incorrect IAM authentication information: decrypt token fail' });
    expect((await get(s.url, exportPath(key('1')), { 'X-Auth-Token': 'secret-token' })).status).toBe(200);
  });

  it('routes before authenticating, and only checks the token for known routes', async () => {
    const s = await start({ token: 'secret-token' });
    expect((await get(s.url, '/v1/x')).status).toBe(404);
    expect((await get(s.url, exportPath(key('9')))).status).toBe(401);
  });

  it('switches tokens at run time', async () => {
    const s = await start({ token: 'old' });
    s.setToken('new');
    expect((await get(s.url, exportPath(key('1')), { 'x-auth-token': 'old' })).status).toBe(401);
    expect((await get(s.url, exportPath(key('1')), { 'x-auth-token': 'new' })).status).toBe(200);
    s.setToken(undefined);
    expect((await get(s.url, exportPath(key('1')))).status).toBe(200);
  });

  it('uses an authenticate hook instead of the token, sync or async', async () => {
    const clock = fakeClock();
    const seen: unknown[] = [];
    const s = await start({
      now: clock.now,
      token: 'ignored',
      authenticate: (req) => {
        seen.push(req);
        if (req.headers.authorization === 'good') return { ok: true };
        if (req.headers.authorization === 'later') return Promise.resolve({ ok: true });
        return { ok: false, status: 401, body: { error_code: 'APIGW.0301', error_msg: 'verify aksk signature fail' } };
      },
    });
    const path = `${exportPath(key('1'))}?a=b`;
    expect((await get(s.url, path, { authorization: 'good' })).status).toBe(200);
    expect((await get(s.url, path, { authorization: 'later' })).status).toBe(200);
    const bad = await get(s.url, path, { authorization: 'bad', 'x-auth-token': 'ignored' });
    expect(bad.status).toBe(401);
    expect(bad.json()).toEqual({ error_code: 'APIGW.0301', error_msg: 'verify aksk signature fail' });
    expect(seen[0]).toMatchObject({ method: 'GET', rawPath: path, body: '', now: clock.now() });
    expect(seen[0]).toHaveProperty('requestId');
  });

  it('answers 500 when the hook throws or rejects', async () => {
    const s = await start({
      authenticate: (req) => {
        if (req.headers.authorization === 'reject') return Promise.reject(new Error('boom'));
        throw new Error('bang');
      },
    });
    const thrown = await get(s.url, exportPath(key('1')));
    expect(thrown.status).toBe(500);
    expect(thrown.text).toContain('bang');
    expect((await get(s.url, exportPath(key('1')), { authorization: 'reject' })).status).toBe(500);
  });

  it('does not count rejected requests towards an export sequence', async () => {
    const s = await start({ token: 't' });
    s.setBehaviour(key('1'), {
      kind: 'sequence',
      steps: [{ times: 1, behaviour: { kind: 'error', status: 500 } }],
      then: progress,
    });
    await get(s.url, exportPath(key('1')));
    expect((await get(s.url, exportPath(key('1')), { 'x-auth-token': 't' })).status).toBe(500);
  });
});
