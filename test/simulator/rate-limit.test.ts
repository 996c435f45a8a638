import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { credentialOf } from '../../src/simulator/throttle.js';
import { exportPath, fakeClock, get, key } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const clock = fakeClock();

async function start(opts: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator({ now: clock.now, exports: [{ ...key('1'), behaviour: { kind: 'progress', durationMs: 1000 } }], ...opts });
  return sim;
}

async function statuses(s: Simulator, n: number, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get(s.url, exportPath(key('1')), headers)).status);
  return out;
}

describe('simulator rate limit', () => {
  it('answers N requests per sliding second and refuses the rest with the gateway body', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 3 } });
    expect(await statuses(s, 4)).toEqual([200, 200, 200, 429]);
    const res = await get(s.url, exportPath(key('1')));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(res.json()).toEqual({
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second',
      request_id: res.headers['x-request-id'],
    });
    expect(s.throttledCount).toBe(2);
    expect(s.requestCount).toBe(5);
  });

  it('slides: a request frees its place one second after it was answered', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 2 } });
    expect(await statuses(s, 1)).toEqual([200]);
    clock.advance(600);
    expect(await statuses(s, 2)).toEqual([200, 429]);
    clock.advance(400);
    expect(await statuses(s, 2)).toEqual([200, 429]);
  });

  it('sends the configured Retry-After', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 1, retryAfter: '2' } });
    await statuses(s, 1);
    const res = await get(s.url, exportPath(key('1')));
    expect([res.status, res.headers['retry-after']]).toEqual([429, '2']);
  });

  it('per credential: each token has its own budget', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 1, per: 'credential' } });
    expect(await statuses(s, 2, { 'x-auth-token': 'a' })).toEqual([200, 429]);
    expect(await statuses(s, 2, { 'x-auth-token': 'b' })).toEqual([200, 429]);
  });

  it('global: every credential shares one budget', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 1 } });
    expect(await statuses(s, 1, { 'x-auth-token': 'a' })).toEqual([200]);
    expect(await statuses(s, 1, { 'x-auth-token': 'b' })).toEqual([429]);
  });

  it('throttles only after authentication', async () => {
    const s = await start({ token: 'good', rateLimit: { requestsPerSecond: 1 } });
    expect(await statuses(s, 2, { 'x-auth-token': 'bad' })).toEqual([401, 401]);
    expect(await statuses(s, 2, { 'x-auth-token': 'good' })).toEqual([200, 429]);
  });

  it('can be set, changed and lifted while running', async () => {
    const s = await start({});
    expect(await statuses(s, 3)).toEqual([200, 200, 200]);
    s.setRateLimit({ requestsPerSecond: 1 });
    expect(await statuses(s, 2)).toEqual([200, 429]);
    s.setRateLimit(undefined);
    expect(await statuses(s, 2)).toEqual([200, 200]);
    s.clearRequests();
    expect(s.throttledCount).toBe(0);
  });

  it('rejects a limit that is not a whole number of requests', async () => {
    await expect(start({ rateLimit: { requestsPerSecond: 0.5 } })).rejects.toThrow(RangeError);
  });
});

describe('credentialOf', () => {
  it.each<[IncomingHttpHeaders, string]>([
    [{ 'x-auth-token': 'tok' }, 'token:tok'],
    [{ authorization: 'SDK-HMAC-SHA256 Access=AKID1, SignedHeaders=host;x-sdk-date, Signature=ab' }, 'ak:AKID1'],
    [{}, 'anonymous'],
  ])('%j -> %s', (headers, expected) => {
    expect(credentialOf(headers)).toBe(expected);
  });
});
