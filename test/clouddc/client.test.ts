import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src/clouddc/authenticator.js';
import type { PollResult } from '../../src/domain/poll.js';
import type { ProgressBehaviour } from '../../src/simulator/index.js';
import { key, startHarness, T0, TOKEN, USER_AGENT, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function observation(r: PollResult) {
  if (!r.ok) throw new Error(`expected success, got ${r.reason}: ${r.message}`);
  return r.observation;
}

describe('ShowLogsExportStatus against the simulator: wire variants', () => {
  it.each([
    ['number', 30],
    ['string', 30],
    ['percent', 30],
    ['float-string', 30.5],
  ] as const)('percentShape %s', async (percentShape, expected) => {
    h.script({ kind: 'progress', durationMs: 1000, percentShape });
    h.advance(305);
    const obs = observation(await h.client().fetchStatus(key()));
    expect(obs).toEqual({ status: 'processing', rawStatus: 'processing', percentage: expected, createdAt: T0 / 1000 });
  });

  it.each(['z', 'offset'] as const)('createdAtStyle %s', async (createdAtStyle) => {
    h.script({ kind: 'progress', durationMs: 1000, createdAtStyle });
    expect(observation(await h.client().fetchStatus(key())).createdAt).toBe(T0 / 1000);
  });

  it.each<[ProgressBehaviour['spelling'], number, number | undefined, string, string]>([
    [{ processing: 'Running' }, 500, undefined, 'processing', 'Running'],
    [{ completed: 'Completed' }, 2000, undefined, 'completed', 'Completed'],
    [{ failed: 'Failure' }, 800, 50, 'failed', 'Failure'],
    [undefined, 2000, undefined, 'completed', 'completed'],
  ])('spelling %j', async (spelling, elapsed, failAtPercent, status, rawStatus) => {
    h.script({ kind: 'progress', durationMs: 1000, ...(spelling ? { spelling } : {}), ...(failAtPercent ? { failAtPercent } : {}) });
    h.advance(elapsed);
    const obs = observation(await h.client().fetchStatus(key()));
    expect(obs.status).toBe(status);
    expect(obs.rawStatus).toBe(rawStatus);
  });

  it.each([
    ['processing', 'processing'],
    ['RUNNING', 'processing'],
    ['in_progress', 'processing'],
    ['complete', 'completed'],
    ['succeeded', 'completed'],
    ['success', 'completed'],
    ['finished', 'completed'],
    ['failed', 'failed'],
    ['error', 'failed'],
    ['Cancelled', 'unknown'],
  ])('status %s maps to %s', async (raw, status) => {
    h.script({ kind: 'fixed', body: { export_id: '1', status: raw, percentage: '10%', created_at: '2025-03-20T02:48:06+0800' } });
    const r = await h.client().fetchStatus(key());
    expect(observation(r)).toEqual({ status, rawStatus: raw, percentage: 10, createdAt: T0 / 1000 - 8 * 3600 });
    expect(r).toMatchObject({ attempts: 1 });
  });
});

describe('request shape', () => {
  it('sends Accept, User-Agent and X-Auth-Token, and returns the X-Request-Id', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const r = await h.client().fetchStatus(key());
    expect(r.ok).toBe(true);
    const [req] = h.sim.requests;
    expect(req?.headers['user-agent']).toBe(USER_AGENT);
    expect(req?.headers['x-auth-token']).toBe(TOKEN);
    expect(req?.headers['accept']).toBe('*/*');
    expect(r.requestId).toBe(req?.requestId);
    expect(h.observer.codes()).toEqual(['200']);
    expect(h.observer.requests[0]?.account).toBe('acct');
    expect(h.observer.retries).toEqual([]);
  });

  it("percent-encodes every path segment, including RFC 3986's !'()*", async () => {
    const k = { projectId: 'p 1', serverId: "srv!'()*", exportId: 'a b?c#' };
    h.script({ kind: 'progress', durationMs: 1000 }, k);
    const r = await h.client().fetchStatus(k);
    expect(r.ok).toBe(true);
    expect(h.sim.requests[0]?.path).toBe('/v1/p%201/physicalservers/srv%21%27%28%29%2A/logs/exports/a%20b%3Fc%23');
    expect(h.sim.requests[0]?.key).toEqual(k);
  });
});

describe('authentication', () => {
  it('401 is not retried: one request, reason and gateway code reported, token never echoed', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const wrong = 'wrong-token-9d8c7b6a5f4e';
    const r = await h.client({ token: wrong, poll: { retries: 3 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '401', errorCode: 'APIGW.0301', attempts: 1 });
    expect(r.ok || r.message).toMatch(/^HTTP 401 APIGW\.0301: Incorrect IAM authentication information/);
    expect(JSON.stringify(r)).not.toContain(wrong);
    expect(h.sim.requestCount).toBe(1);
    expect(h.observer.codes()).toEqual(['401']);
    expect(h.observer.retries).toEqual([]);
    expect(h.sleeper.delays).toEqual([]);
  });

  it('retries exactly once when the authenticator renewed its credentials', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    let token = 'stale-token-0000';
    let renewals = 0;
    const auth: Authenticator = {
      authorize: async () => ({ 'X-Auth-Token': token }),
      onUnauthorized: async () => {
        renewals++;
        token = TOKEN;
        return true;
      },
    };
    const r = await h.client({ authenticator: auth }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(renewals).toBe(1);
    expect(h.sim.requests.map((q) => q.headers['x-auth-token'])).toEqual(['stale-token-0000', TOKEN]);
    expect(h.observer.codes()).toEqual(['401', '200']);
    expect(h.observer.retryReasons()).toEqual(['401']);
  });

  it('a renewal that does not help ends after the second 401', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const auth: Authenticator = {
      authorize: async () => ({ 'X-Auth-Token': 'still-wrong' }),
      onUnauthorized: async () => true,
    };
    const r = await h.client({ authenticator: auth, poll: { retries: 5 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '401', attempts: 2 });
    expect(h.sim.requestCount).toBe(2);
  });

  it('an authenticator that throws gives a 401 failure without any request', async () => {
    const auth: Authenticator = { authorize: () => Promise.reject(new Error('no credentials configured')) };
    const r = await h.client({ authenticator: auth }).fetchStatus(key());
    expect(r).toEqual({ ok: false, reason: '401', message: 'authentication failed: no credentials configured', attempts: 1 });
    expect(h.sim.requestCount).toBe(0);
    expect(h.observer.requests).toEqual([]);
  });
});
