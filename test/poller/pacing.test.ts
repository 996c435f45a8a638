import { describe, expect, it } from 'vitest';
import type { ExportKey } from '../../src/domain/export.js';
import type { PollResult } from '../../src/domain/poll.js';
import { createCycleRunner } from '../../src/poller/cycle-runner.js';
import { createPacer, spreadWindowMs, type Tick } from '../../src/poller/pacing.js';
import { runPollCycle, type StatusSource } from '../../src/poller/poll-cycle.js';
import { ExportStore } from '../../src/store/export-store.js';
import { FakeClock, silentLogger, success, target } from '../support/factories.js';
import { FakeTimers } from '../support/fake-timers.js';

/** Records when, on the fake clock, each poll started. */
class TimedSource implements StatusSource {
  readonly starts: number[] = [];
  constructor(private readonly clock: FakeClock) {}
  async fetchStatus(_key: ExportKey): Promise<PollResult> {
    this.starts.push(this.clock.ms);
    await new Promise((r) => setImmediate(r));
    return success();
  }
}

const T0 = Date.UTC(2026, 0, 1);
const targets = Array.from({ length: 10 }, (_, i) => target({ exportId: String(i + 1) }));

function storeWith(n = targets.length): ExportStore {
  const store = new ExportStore();
  store.sync(targets.slice(0, n));
  return store;
}

describe('spreadWindowMs', () => {
  const tick: Tick = { scheduledAt: T0, nextAt: T0 + 60_000 };
  it('is 85% of the time to the next tick when spreading', () => {
    expect(spreadWindowMs(true, tick)).toBe(51_000);
  });
  it.each<[string, boolean, Tick | undefined]>([
    ['spread is off', false, tick],
    ['the cycle did not come from the schedule (start-up, by hand)', true, undefined],
    ['the schedule has no next run', true, { scheduledAt: T0 }],
    ['the next run is not later', true, { scheduledAt: T0, nextAt: T0 }],
  ])('is 0 when %s', (_why, spread, t) => {
    expect(spreadWindowMs(spread, t)).toBe(0);
  });
});

describe('createPacer', () => {
  it('paces nothing without a window or with a single poll', () => {
    const base = { startedAt: 0, now: () => 0 };
    expect(createPacer({ ...base, windowMs: 0, total: 10 })).toBeUndefined();
    expect(createPacer({ ...base, windowMs: 1000, total: 1 })).toBeUndefined();
  });
});

describe('runPollCycle with spreading', () => {
  it('starts poll i of N no earlier than start + i × window / N', async () => {
    const clock = new FakeClock(T0);
    const timers = new FakeTimers(clock);
    const source = new TimedSource(clock);
    const cycle = runPollCycle({
      store: storeWith(),
      sourceFor: () => source,
      concurrency: 3,
      now: clock.now,
      logger: silentLogger,
      spreadMs: 8500,
      sleep: timers.sleep,
    });
    const summary = await timers.run(cycle);
    expect(source.starts.map((t) => t - T0)).toEqual([0, 850, 1700, 2550, 3400, 4250, 5100, 5950, 6800, 7650]);
    expect(summary).toMatchObject({ polled: 10, failed: 0, durationMs: 7650 });
  });

  it('does not wait at all when not spreading', async () => {
    const clock = new FakeClock(T0);
    const timers = new FakeTimers(clock);
    const source = new TimedSource(clock);
    await runPollCycle({ store: storeWith(), sourceFor: () => source, concurrency: 3, now: clock.now, logger: silentLogger, sleep: timers.sleep });
    expect(timers.requested).toEqual([]);
    expect(source.starts).toHaveLength(10);
  });

  it('stops waiting and polls nothing more when aborted', async () => {
    const clock = new FakeClock(T0);
    const source = new TimedSource(clock);
    const controller = new AbortController();
    const cycle = runPollCycle({
      store: storeWith(),
      sourceFor: () => source,
      concurrency: 2,
      now: clock.now,
      logger: silentLogger,
      signal: controller.signal,
      spreadMs: 3_600_000,
    });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await cycle;
    expect(source.starts).toHaveLength(1);
  });
});

describe('the cycle runner', () => {
  it('hands the schedule tick to the cycle', async () => {
    const seen: Array<Tick | undefined> = [];
    const runner = createCycleRunner(
      async (tick) => void seen.push(tick),
      () => {},
    );
    await runner.tick({ scheduledAt: T0, nextAt: T0 + 1000 });
    await runner.tick();
    expect(seen).toEqual([{ scheduledAt: T0, nextAt: T0 + 1000 }, undefined]);
  });
});

describe('a late cycle', () => {
  it('starts at once the polls whose place in the spread has passed, and keeps the others in place', async () => {
    const clock = new FakeClock(T0 + 3000);
    const timers = new FakeTimers(clock);
    const source = new TimedSource(clock);
    // The tick was due at T0 and its cycle starts 3 s late: polls placed before T0 + 3 s go now.
    const cycle = runPollCycle({
      store: storeWith(),
      sourceFor: () => source,
      concurrency: 10,
      now: clock.now,
      logger: silentLogger,
      spreadMs: 8500,
      spreadFrom: T0,
      sleep: timers.sleep,
    });
    await timers.run(cycle);
    expect(source.starts.map((t) => t - T0)).toEqual([3000, 3000, 3000, 3000, 3400, 4250, 5100, 5950, 6800, 7650]);
  });
});

describe('spreadWindowMs with retries to make room for', () => {
  const tick: Tick = { scheduledAt: T0, nextAt: T0 + 5000 };
  it('keeps the longest backoff chain free at the end of the interval, besides the usual headroom', () => {
    expect(spreadWindowMs(true, { scheduledAt: T0, nextAt: T0 + 30_000 }, 1500)).toBe(24_000);
    expect(spreadWindowMs(true, tick, 1500)).toBe(2750);
  });
  it('spreads over at least half the interval, however long the chain', () => {
    expect(spreadWindowMs(true, tick, 60_000)).toBe(2500);
  });
});
