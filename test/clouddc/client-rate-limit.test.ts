import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { key, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const progress = { kind: 'progress', durationMs: 1000 } as const;

describe("the client and its account's rate limiter", () => {
  it('takes a token for every attempt, retries included', async () => {
    h.script({ kind: 'sequence', steps: [{ times: 1, behaviour: { kind: 'error', status: 500 } }], then: progress });
    const c = h.client({ poll: { retries: 1, backoffInitialMs: 0 }, account: { rateLimit: { requestsPerSecond: 2, burst: 1 } } });
    expect(await c.fetchStatus(key())).toMatchObject({ ok: true, attempts: 2 });
    // The retry's backoff is 0 ms; the second attempt waits for its token instead.
    expect(h.sleeper.delays).toEqual([0, 500]);
    expect(h.observer.throttleWaits).toEqual([0, 0.5]);
  });

  it('uses the rateLimit option over the account setting (a shard passes its share)', async () => {
    h.script(progress);
    const c = h.client({
      account: { rateLimit: { requestsPerSecond: 100, burst: 1 } },
      options: { rateLimit: { requestsPerSecond: 4, burst: 1 } },
    });
    await c.fetchStatus(key());
    await c.fetchStatus(key());
    expect(h.sleeper.delays).toEqual([250]);
    expect(h.observer.rates).toEqual([4]);
  });

  it("a 429's Retry-After pauses the other polls of the account", async () => {
    const throttled = h.script({ kind: 'error', status: 429, retryAfter: '3' }, key('throttled'));
    const other = h.script(progress, key('other'));
    const c = h.client();
    expect(await c.fetchStatus(throttled)).toMatchObject({ ok: false, reason: '429' });
    expect(await c.fetchStatus(other)).toMatchObject({ ok: true });
    expect(h.sleeper.delays).toEqual([3000]);
    expect(h.observer.throttleWaits).toEqual([0, 3]);
  });

  it('a 429 halves the rate, 2xx answers win it back', async () => {
    h.script({ kind: 'sequence', steps: [{ times: 1, behaviour: { kind: 'error', status: 429 } }], then: progress });
    const c = h.client({ account: { rateLimit: { requestsPerSecond: 10, burst: 10 } } });
    await c.fetchStatus(key());
    expect(h.observer.rates).toEqual([10, 5]);
    await h.sleeper.sleep(10_000);
    await c.fetchStatus(key());
    await h.sleeper.sleep(10_000);
    await c.fetchStatus(key());
    // Good time counts from the end of the 200 ms pause: 9.8 s at 0.5 req/s per second, then the rest.
    expect(h.observer.rates.slice(2)).toEqual([9.9, 10]);
  });

  it('a 429 without Retry-After pauses the account for one interval at the lowered rate', async () => {
    const throttled = h.script({ kind: 'error', status: 429 }, key('throttled'));
    const other = h.script(progress, key('other'));
    const c = h.client({ account: { rateLimit: { requestsPerSecond: 10, burst: 10 } } });
    await c.fetchStatus(throttled);
    await c.fetchStatus(other);
    expect(h.sleeper.delays).toEqual([200]);
  });

  it('aborting while waiting for a token sends nothing', async () => {
    h.script(progress);
    const c = h.client({
      account: { rateLimit: { requestsPerSecond: 0.001, burst: 1 } },
      options: { sleep: undefined, limiterClock: undefined },
    });
    await c.fetchStatus(key());
    const controller = new AbortController();
    const pending = c.fetchStatus(key(), controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, reason: 'timeout', attempts: 0 });
    expect(h.sim.requestCount).toBe(1);
  });
});
