import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import {
  DEMO_ACCESS_KEY,
  DEMO_PROJECT_ID,
  DEMO_ROTATED_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEMO_STALE_SECRET_KEY,
  DEMO_TOKEN,
  demoExports,
  demoGatewayAuth,
  startSimulator,
  type Simulator,
} from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, T0, type Got } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('demoExports', () => {
  const exports = demoExports(DEMO_PROJECT_ID, T0);

  it('has one distinct, realistic export per case, each named by its scenario', () => {
    expect(exports.map((e) => e.scenario)).toEqual([
      'completed',
      'slow',
      'stalled',
      'failed',
      'unknown_status',
      'throttled',
      'server_error',
      'malformed',
      'not_found',
      'aksk_signed',
      'paused_account',
    ]);
    expect(new Set(exports.map((e) => e.name)).size).toBe(exports.length);
    expect(new Set(exports.map((e) => `${e.serverId}/${e.exportId}`)).size).toBe(exports.length);
    for (const e of exports) {
      expect(e.projectId).toBe(DEMO_PROJECT_ID);
      expect(e.scenario).toMatch(/^[a-z_]+$/);
      expect(e.serverId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.exportId).toMatch(/^\d{1,6}$/);
    }
  });

  it('shows every case within a minute when polled every 5 s, failing ones on (nearly) every poll', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, token: DEMO_TOKEN, exports });
    const seen = new Map<string, Got[]>(exports.map((e) => [e.scenario, []]));
    for (let t = 0; t <= 60_000; t += 5_000) {
      clock.set(T0 + t);
      for (const e of exports) seen.get(e.scenario)!.push(await get(sim.url, exportPath(e), { 'x-auth-token': DEMO_TOKEN }));
    }
    const bodies = (scenario: string) =>
      seen
        .get(scenario)!
        .filter((r) => r.status === 200)
        .map((r) => r.json() as Record<string, unknown>);
    const last = (scenario: string) => bodies(scenario).at(-1);
    const statuses = (scenario: string) => seen.get(scenario)!.map((r) => r.status);

    expect(bodies('completed')[1]).toMatchObject({ status: 'Running', percentage: '12%' });
    expect(last('completed')).toMatchObject({ status: 'COMPLETED', percentage: '100%' });
    // Created 10 minutes before the demo started and still moving.
    expect(bodies('slow')[0]).toMatchObject({ status: 'processing', percentage: '20.0', created_at: '2025-03-20T02:38:06Z' });
    expect(last('slow')).toMatchObject({ status: 'processing', percentage: '22.0' });
    expect(last('stalled')).toMatchObject({ status: 'processing', percentage: '45' });
    expect(bodies('stalled').slice(-8)).toEqual(Array(8).fill(last('stalled')));
    expect(last('failed')).toMatchObject({ status: 'failed', percentage: 60 });
    expect(last('unknown_status')).toMatchObject({ status: 'Queued' });
    expect(last('aksk_signed')?.created_at).toMatch(/\+00:00$/);

    // A poll and its retry are two requests: every other poll gets 429 twice.
    expect(statuses('throttled')).toEqual([429, 429, 200, 429, 429, 200, 429, 429, 200, 429, 429, 200, 429]);
    expect(seen.get('throttled')![0]!.text).toBe('Too Many Requests');
    expect(last('throttled')?.percentage).toMatch(/^\d+\.\d$/);
    expect(statuses('server_error').every((s) => s === 500)).toBe(true);
    expect(statuses('not_found').every((s) => s === 404)).toBe(true);
    expect(seen.get('not_found')![0]!.json()).toMatchObject({ error_code: 'iMetal.0100' });
    const broken = seen.get('malformed')!;
    expect(broken.every((r) => r.status === 200)).toBe(true);
    expect(() => broken[0]!.json()).toThrow(SyntaxError);
  });
});

describe('the README', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

  it('lists every case in full, each with the alerts it fires, and the keys the demo simulator accepts', () => {
    const rows = readme.split('\n').filter((l) => /^\| `[a-z_]+` \|/.test(l) && !l.startsWith('| `scenario`'));
    expect(rows.map((r) => /^\| `([a-z_]+)`/.exec(r)![1])).toEqual(demoExports(DEMO_PROJECT_ID, T0).map((e) => e.scenario));
    for (const e of demoExports(DEMO_PROJECT_ID, T0)) {
      const alerts = rows
        .find((r) => r.startsWith(`| \`${e.scenario}\` |`))!
        .split('|')
        .at(-2)!;
      expect([...alerts.matchAll(/CloudDC\w+/g)].map((m) => m[0]).sort(), e.scenario).toEqual([...e.alerts].sort());
    }
    for (const secret of [DEMO_TOKEN, DEMO_ACCESS_KEY, DEMO_SECRET_KEY]) expect(readme).toContain(secret);
  });
});

describe('demoGatewayAuth', () => {
  it('accepts the demo token and the documented AK/SK pair, and refuses the rotated-away secret key', async () => {
    const [e] = demoExports(DEMO_PROJECT_ID, Date.now());
    sim = await startSimulator({ authenticate: demoGatewayAuth().authenticate, exports: [e!] });
    const path = exportPath(e!);
    const signed = (accessKey: string, secretKey: string) => {
      const headers = { 'x-project-id': DEMO_PROJECT_ID };
      return get(sim!.url, path, {
        ...headers,
        ...signRequest({ method: 'GET', url: new URL(sim!.url + path), headers, accessKey, secretKey, date: new Date() }),
      });
    };
    expect((await get(sim.url, path, { 'x-auth-token': DEMO_TOKEN })).status).toBe(200);
    expect((await signed(DEMO_ACCESS_KEY, DEMO_SECRET_KEY)).status).toBe(200);
    const refused = await signed(DEMO_ROTATED_ACCESS_KEY, DEMO_STALE_SECRET_KEY);
    expect(refused.status).toBe(401);
    expect(refused.json()).toMatchObject({ error_code: 'APIGW.0301' });
    expect((await get(sim.url, path, { 'x-auth-token': 'MIIsomething-else' })).status).toBe(401);
  });
});
