import { describe, expect, it } from 'vitest';
import { capacityWarning, cycleCapacity, scheduleIntervalMs } from '../../src/poller/capacity.js';

describe('cycleCapacity', () => {
  it('is exports ÷ rate per account, against the interval', () => {
    const [prod, lab] = cycleCapacity({
      exports: new Map([
        ['prod', 10_000],
        ['lab', 40],
      ]),
      requestsPerSecond: new Map([
        ['prod', 10],
        ['lab', 2],
      ]),
      intervalMs: 30_000,
    });
    expect(prod).toEqual({
      account: 'prod',
      exports: 10_000,
      requestsPerSecond: 10,
      minCycleSeconds: 1000,
      intervalSeconds: 30,
      overloaded: true,
      neededRequestsPerSecond: 333.34,
    });
    expect(lab).toMatchObject({ minCycleSeconds: 20, overloaded: false });
  });

  it('is not overloaded exactly at the interval, and an account without exports needs nothing', () => {
    const out = cycleCapacity({
      exports: new Map([['a', 300]]),
      requestsPerSecond: new Map([
        ['a', 10],
        ['idle', 10],
      ]),
      intervalMs: 30_000,
    });
    expect(out.map((c) => [c.account, c.minCycleSeconds, c.overloaded])).toEqual([
      ['a', 30, false],
      ['idle', 0, false],
    ]);
  });

  it("asks a shard's whole account for its rate times the shards", () => {
    // A shard polls 2,500 exports at its quarter of a 20 requests/s limit.
    const [c] = cycleCapacity({ exports: new Map([['a', 2500]]), requestsPerSecond: new Map([['a', 5]]), intervalMs: 60_000, shards: 4 });
    expect(c).toMatchObject({ minCycleSeconds: 500, overloaded: true, neededRequestsPerSecond: 166.67 });
  });
});

describe('scheduleIntervalMs', () => {
  it.each([
    ['*/30 * * * * *', 30_000],
    ['*/5 * * * * *', 5_000],
    ['* * * * *', 60_000],
    ['0 9,17 * * *', 8 * 3600_000],
    // Every 7 s within the minute: 56 → 0 is the shortest gap, 4 s.
    ['*/7 * * * * *', 4_000],
  ])('%s → %d ms (the shortest gap between ticks)', (expression, ms) => {
    expect(scheduleIntervalMs(expression)).toBe(ms);
  });
});

describe('capacityWarning', () => {
  it('names the account, the numbers and both fixes', () => {
    const [c] = cycleCapacity({ exports: new Map([['prod', 10_000]]), requestsPerSecond: new Map([['prod', 10]]), intervalMs: 30_000 });
    expect(capacityWarning(c!, '*/30 * * * * *')).toBe(
      'account "prod": 10000 exports at rate_limit 10 requests/s need at least 1000 s per poll cycle, but poll.schedule ' +
        '"*/30 * * * * *" ticks every 30 s, so each export is polled about every 1000 s instead. Fix: raise ' +
        'accounts.prod.rate_limit.requests_per_second to at least 333.34 (if CloudDC allows that much), or lengthen ' +
        'poll.schedule to at least every 1000 s',
    );
  });

  it('says which shard when sharded', () => {
    const [c] = cycleCapacity({ exports: new Map([['a', 2500]]), requestsPerSecond: new Map([['a', 2.5]]), intervalMs: 60_000, shards: 4 });
    expect(capacityWarning(c!, '* * * * *', { index: 3, total: 4 })).toMatch(
      /^account "a" \(shard 3 of 4: its share of the exports and of the rate\): 2500 exports at rate_limit 2.5 requests\/s need at least 1000 s/,
    );
  });
});
