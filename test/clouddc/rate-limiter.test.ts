import { describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimiterOptions } from '../../src/clouddc/rate-limiter.js';

/** A clock that only sleeping moves: each wait is recorded and advances time by exactly that much. */
/** A limiter with its one permit about to be spent and no refill in sight; waits end only by aborting. */
const STARVED: Partial<RateLimiterOptions> = {
  requestsPerSecond: 0.001,
  burst: 1,
  sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
};

function setup(overrides: Partial<RateLimiterOptions> = {}) {
  let now = 1_000;
  const sleeps: number[] = [];
  const rates: number[] = [];
  const waits: number[] = [];
  const limiter = createRateLimiter({
    requestsPerSecond: 10,
    burst: 5,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new Error('aborted');
      sleeps.push(ms);
      now += ms;
    },
    onRate: (r) => rates.push(r),
    onWait: (s) => waits.push(s),
    ...overrides,
  });
  return {
    limiter,
    sleeps,
    rates,
    waits,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

async function take(l: ReturnType<typeof setup>['limiter']) {
  const p = await l.acquire();
  if (p === undefined) throw new Error('no permit');
  return p;
}

describe('token bucket', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await take(t.limiter);
    expect(t.sleeps).toEqual([]);
    await take(t.limiter);
    await take(t.limiter);
    expect(t.sleeps).toEqual([100, 100]);
    expect(t.waits).toEqual([0, 0.1, 0.1]);
    expect(t.rates).toEqual([10]);
  });

  it('tryAcquire takes a token at hand without waiting, and books nothing when there is none', async () => {
    const t = setup({ requestsPerSecond: 10, burst: 2 });
    expect(t.limiter.tryAcquire()).toBeDefined();
    expect(t.limiter.tryAcquire()).toBeDefined();
    expect(t.limiter.tryAcquire()).toBeUndefined();
    expect(t.limiter.tryAcquire()).toBeUndefined();
    // The refusals booked nothing: the next slot is one interval away, not three.
    await take(t.limiter);
    expect(t.sleeps).toEqual([100]);
  });

  it('refills while idle, up to the burst only', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await take(t.limiter);
    t.advance(60_000);
    for (let i = 0; i < 5; i++) await take(t.limiter);
    await take(t.limiter);
    expect(t.sleeps).toEqual([100]);
  });

  it('keeps a burst below one request at one', async () => {
    const t = setup({ requestsPerSecond: 2, burst: 0.25 });
    await take(t.limiter);
    await take(t.limiter);
    expect(t.sleeps).toEqual([500]);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => setup({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('AIMD on 429', () => {
  it('halves the rate once per episode and pauses the account for one new interval', async () => {
    const t = setup({ burst: 100 });
    const inFlight = [await take(t.limiter), await take(t.limiter), await take(t.limiter)];
    for (const p of inFlight) p.settle(429);
    expect(t.limiter.rate).toBe(5);
    expect(t.limiter.pausedUntil).toBe(t.now() + 200);
    // Sent after the cut, but the gateway's one-second window still holds the requests that caused it.
    const soon = await take(t.limiter);
    expect(t.sleeps).toEqual([200]);
    soon.settle(429);
    expect(t.limiter.rate).toBe(5);
    t.advance(1000);
    const later = await take(t.limiter);
    later.settle(429);
    expect(t.limiter.rate).toBe(2.5);
    expect(t.rates).toEqual([10, 5, 2.5]);
  });

  it('a request sent before the last cut does not cut again, however late its 429 comes', async () => {
    const t = setup({ burst: 100 });
    const early = await take(t.limiter);
    (await take(t.limiter)).settle(429);
    t.advance(5000);
    early.settle(429);
    expect(t.rates).toEqual([10, 5]);
  });

  it('after a pause, requests go one interval apart instead of in a burst', async () => {
    const t = setup({ burst: 100 });
    (await take(t.limiter)).settle(429);
    for (let i = 0; i < 3; i++) await take(t.limiter);
    expect(t.sleeps).toEqual([200, 200, 200]);
  });

  it('never goes below the floor of configured/100 (at least 0.1 req/s)', async () => {
    const t = setup({ requestsPerSecond: 100, burst: 1000 });
    for (let i = 0; i < 20; i++) {
      (await take(t.limiter)).settle(429);
      t.advance(60_000);
    }
    expect(t.limiter.rate).toBe(1);
    const slow = setup({ requestsPerSecond: 2, burst: 1000 });
    for (let i = 0; i < 20; i++) {
      (await take(slow.limiter)).settle(429);
      slow.advance(60_000);
    }
    expect(slow.limiter.rate).toBe(0.1);
  });

  it('honours Retry-After for the whole account, capped at maxPauseMs', async () => {
    const t = setup({ burst: 100, maxPauseMs: 30_000 });
    const a = await take(t.limiter);
    const b = await take(t.limiter);
    a.settle(429, 7000);
    expect(t.limiter.pausedUntil).toBe(t.now() + 7000);
    // An older request's Retry-After still counts when it reaches further.
    b.settle(429, 3_600_000);
    expect(t.limiter.pausedUntil).toBe(t.now() + 30_000);
    expect(t.limiter.rate).toBe(5);
    await take(t.limiter);
    expect(t.sleeps).toEqual([30_000]);
  });

  it('recovers by configured/20 per second of good answers, up to the configured rate', async () => {
    const t = setup({ burst: 100 });
    (await take(t.limiter)).settle(429);
    t.advance(200);
    (await take(t.limiter)).settle(200);
    expect(t.limiter.rate).toBe(5);
    t.advance(1000);
    (await take(t.limiter)).settle(200);
    expect(t.limiter.rate).toBeCloseTo(5.5);
    t.advance(5000);
    (await take(t.limiter)).settle(204);
    expect(t.limiter.rate).toBeCloseTo(8);
    t.advance(60_000);
    (await take(t.limiter)).settle(200);
    expect(t.limiter.rate).toBe(10);
  });

  it('other statuses neither cut nor recover', async () => {
    const t = setup({ burst: 100 });
    (await take(t.limiter)).settle(429);
    t.advance(5000);
    for (const status of [401, 404, 500, 503]) (await take(t.limiter)).settle(status);
    expect(t.rates).toEqual([10, 5]);
    expect(t.limiter.pausedUntil).toBeLessThan(t.now());
  });
});

describe('waiting', () => {
  it('an aborted signal gets no permit', async () => {
    const t = setup();
    expect(await t.limiter.acquire(AbortSignal.abort())).toBeUndefined();
  });

  it('aborting ends a wait at once', async () => {
    const t = setup(STARVED);
    await take(t.limiter);
    const controller = new AbortController();
    const pending = t.limiter.acquire(controller.signal);
    controller.abort();
    expect(await pending).toBeUndefined();
  });

  it('a request waiting for its slot books again when a 429 pauses the account', async () => {
    let now = 0;
    const timers: Array<{ at: number; resolve: () => void }> = [];
    const limiter = createRateLimiter({
      requestsPerSecond: 10,
      burst: 1,
      now: () => now,
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          timers.push({ at: now + ms, resolve });
          signal?.addEventListener('abort', () => reject(new Error('woken')));
        }),
    });
    const first = await limiter.acquire();
    const waiting = limiter.acquire();
    const queued = limiter.acquire();
    await new Promise((r) => setImmediate(r));
    // Only the head of the line books a slot.
    expect(timers.map((x) => x.at)).toEqual([100]);
    now = 50;
    first!.settle(429, 2000);
    await new Promise((r) => setImmediate(r));
    // Booked anew: no earlier than the end of the pause.
    expect(timers.map((x) => x.at)).toEqual([100, 2050]);
    now = 2050;
    timers[1]!.resolve();
    expect(await waiting).toBeDefined();
    await new Promise((r) => setImmediate(r));
    // The next in line books at the rate of its moment, halved by the 429.
    expect(timers.map((x) => x.at)).toEqual([100, 2050, 2250]);
    now = 2250;
    timers[2]!.resolve();
    expect(await queued).toBeDefined();
  });

  it('aborting a request queued behind others ends its wait at once', async () => {
    const t = setup(STARVED);
    await take(t.limiter);
    void t.limiter.acquire();
    const controller = new AbortController();
    const queued = t.limiter.acquire(controller.signal);
    controller.abort();
    expect(await queued).toBeUndefined();
  });
});
