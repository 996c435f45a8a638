import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptReport, Authenticator } from '../../../src/clouddc/authenticator.js';
import { key, startHarness, TOKEN, type Harness } from '../harness.js';

/** The client's side of the authenticator contract: onResult per attempt, the report passed to onUnauthorized. */

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function recording(
  tokens: string[],
  renew = false,
): { auth: Authenticator; reports: AttemptReport[]; given: object[]; unauthorized: Array<AttemptReport | undefined> } {
  const reports: AttemptReport[] = [];
  const given: object[] = [];
  const unauthorized: Array<AttemptReport | undefined> = [];
  let i = 0;
  const auth: Authenticator = {
    async authorize() {
      const headers = { 'X-Auth-Token': tokens[Math.min(i++, tokens.length - 1)]! };
      given.push(headers);
      return headers;
    },
    onResult: (r) => void reports.push(r),
    ...(renew && {
      onUnauthorized: async (r?: AttemptReport) => {
        unauthorized.push(r);
        return true;
      },
    }),
  };
  return { auth, reports, given, unauthorized };
}

describe('client ↔ authenticator hooks', () => {
  it('reports every attempt with the very object authorize() returned, and its status', async () => {
    h.script({ kind: 'sequence', steps: [{ times: 1, behaviour: { kind: 'error', status: 500 } }], then: { kind: 'progress', durationMs: 1000 } });
    const { auth, reports, given } = recording([TOKEN]);
    const r = await h.client({ authenticator: auth, poll: { retries: 2 } }).fetchStatus(key());
    expect(r.ok).toBe(true);
    expect(reports.map((x) => x.status)).toEqual([500, 200]);
    expect(reports[0]!.authorization).toBe(given[0]);
    expect(reports[1]!.authorization).toBe(given[1]);
    expect(reports[0]).toMatchObject({ errorCode: 'iMetal.0099' });
  });

  it('passes the 401 report to onUnauthorized, error code and message included', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const { auth, reports, unauthorized, given } = recording(['stale-token-1', TOKEN], true);
    const r = await h.client({ authenticator: auth }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]).toBe(reports[0]);
    expect(unauthorized[0]).toMatchObject({
      authorization: given[0],
      status: 401,
      errorCode: 'APIGW.0301',
      message: 'HTTP 401 APIGW.0301: Incorrect IAM authentication information: decrypt token fail',
    });
  });

  it('reports a timeout without a status, and nothing when authorize() rejected', async () => {
    h.script({ kind: 'hang' });
    const { auth, reports } = recording([TOKEN]);
    await h.client({ authenticator: auth, poll: { timeoutMs: 100 } }).fetchStatus(key());
    expect(reports).toHaveLength(1);
    expect(reports[0]!.status).toBeUndefined();

    const refusing: Authenticator = { authorize: () => Promise.reject(new Error('no')), onResult: () => reports.push({} as AttemptReport) };
    await h.client({ authenticator: refusing }).fetchStatus(key());
    expect(reports).toHaveLength(1);
  });

  it('an authenticator that hands back one object it changes gets its current values sent, not remembered ones', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const headers: Record<string, string> = { 'X-Auth-Token': 'stale-token-1' };
    const auth: Authenticator = {
      authorize: async () => headers,
      onUnauthorized: async () => {
        headers['X-Auth-Token'] = TOKEN;
        return true;
      },
    };
    const r = await h.client({ authenticator: auth }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it('a throwing onResult does not break the poll', async () => {
    h.script({ kind: 'progress', durationMs: 1000 });
    const auth: Authenticator = {
      authorize: async () => ({ 'X-Auth-Token': TOKEN }),
      onResult: () => {
        throw new Error('bug');
      },
    };
    expect((await h.client({ authenticator: auth }).fetchStatus(key())).ok).toBe(true);
  });
});
