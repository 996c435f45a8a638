import { setMaxListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exportKeyId, type ExportKey } from '../../src/domain/export.js';
import type { PollResult, Slot } from '../../src/domain/poll.js';
import { runPollCycle, type StatusSource } from '../../src/poller/poll-cycle.js';
import { ExportStore } from '../../src/store/export-store.js';
import { FakeClock, failure, silentLogger, success, target } from '../support/factories.js';
import { FakeTimers } from '../support/fake-timers.js';

const T0 = Date.UTC(2026, 0, 1);

/**
 * Behaves like the account client: every attempt takes `latencyMs` holding the slot; a failing export retries
 * `retries` times, backing off `backoffMs` without its slot (released before, retaken after).
 */
class RetryingSource implements StatusSource {
  /** [export id, attempt, fake-clock ms] for every attempt sent. */
  readonly attempts: Array<[string, number, number]> = [];
  /** [export id, fake-clock ms] when each poll ended. */
  readonly ends: Array<[string, number]> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly timers: FakeTimers,
    private readonly failing: ReadonlySet<string>,
    private readonly o: { latencyMs: number; backoffMs: number; retries: number },
  ) {}

  async fetchStatus(key: ExportKey, signal?: AbortSignal, slot?: Slot): Promise<PollResult> {
    const id = exportKeyId(key);
    for (let attempt = 1; ; attempt++) {
      this.attempts.push([id, attempt, this.clock.ms]);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await this.timers.sleep(this.o.latencyMs, signal);
      } catch {
        return failure('timeout');
      } finally {
        this.inFlight--;
      }
      if (!this.failing.has(id)) return this.#end(id, success());
      if (attempt > this.o.retries) return this.#end(id, failure('500'));
      slot?.release();
      try {
        await this.timers.sleep(this.o.backoffMs, signal);
      } catch {
        return failure('500');
      }
      if (slot && !(await slot.retake(signal))) return failure('500');
    }
  }

  #end(id: string, r: PollResult): PollResult {
    this.ends.push([id, this.clock.ms]);
    return r;
  }
}

function setup(n: number, failingIds: number[], o: { latencyMs: number; backoffMs: number; retries: number }) {
  const clock = new FakeClock(T0);
  const timers = new FakeTimers(clock);
  const targets = Array.from({ length: n }, (_, i) => target({ exportId: String(i + 1) }));
  const store = new ExportStore();
  store.sync(targets);
  const failing = new Set(failingIds.map((i) => exportKeyId(targets[i]!)));
  const source = new RetryingSource(clock, timers, failing, o);
  return { clock, timers, targets, store, failing, source };
}

describe('runPollCycle: a backoff holds no slot', () => {
  it('polls the healthy exports while the failing ones back off, never more than `concurrency` requests at once', async () => {
    const o = { latencyMs: 10, backoffMs: 1000, retries: 2 };
    const { clock, timers, store, failing, source } = setup(10, [0, 1], o);
    const summary = await timers.run(runPollCycle({ store, sourceFor: () => source, concurrency: 2, now: clock.now, logger: silentLogger }));
    const healthyEnds = source.ends.filter(([id]) => !failing.has(id)).map(([, t]) => t - T0);
    // 8 healthy polls, 2 at a time, right after the failing ones' first attempts: done by 10 + 4 × 10 ms.
    expect(healthyEnds).toHaveLength(8);
    expect(Math.max(...healthyEnds)).toBe(50);
    expect(source.maxInFlight).toBe(2);
    // The cycle lasts one retry chain (3 attempts, 2 backoffs), not the chain plus the healthy polls queued behind it.
    expect(summary).toMatchObject({ polled: 10, failed: 2, durationMs: 3 * 10 + 2 * 1000 });
  });

  it('without giving the slot back (the old behaviour) the same cycle is the chain plus the queue behind it', async () => {
    const o = { latencyMs: 10, backoffMs: 1000, retries: 2 };
    const { clock, timers, store, source } = setup(10, [0, 1], o);
    // A source that ignores the slot: what the cycle did before slots were handed back.
    const holding: StatusSource = { fetchStatus: (k, s) => source.fetchStatus(k, s) };
    const summary = await timers.run(runPollCycle({ store, sourceFor: () => holding, concurrency: 2, now: clock.now, logger: silentLogger }));
    expect(summary.durationMs).toBe(3 * 10 + 2 * 1000 + 4 * 10);
  });

  it('starts the exports whose last poll failed first, so their backoff overlaps the healthy polls', async () => {
    const o = { latencyMs: 10, backoffMs: 1000, retries: 2 };
    // The failing exports are the last two of the store's order.
    const { clock, timers, store, targets, failing, source } = setup(10, [8, 9], o);
    const cycle = () => timers.run(runPollCycle({ store, sourceFor: () => source, concurrency: 2, now: clock.now, logger: silentLogger }));
    const first = await cycle();
    // Nothing known yet: the store's order, so the chain starts behind the 8 healthy polls (4 rounds of 2).
    expect(first.durationMs).toBe(4 * 10 + 3 * 10 + 2 * 1000);
    source.attempts.length = 0;
    const second = await cycle();
    // Now they go first, and the healthy polls run during their backoff: the cycle is one chain.
    expect(second.durationMs).toBe(3 * 10 + 2 * 1000);
    const firstAttempts = source.attempts.filter(([, attempt]) => attempt === 1).map(([id]) => id);
    expect(firstAttempts.slice(0, 2).sort()).toEqual([...failing].sort());
    // The healthy exports keep their order among themselves.
    expect(firstAttempts.slice(2)).toEqual(targets.slice(0, 8).map((t) => exportKeyId(t)));
  });

  it('lets a retry that is due go before polls that have not started', async () => {
    // One slot; export 1 fails once and is due again at 10 + 25 = 35 ms, while healthy polls take 10 ms each.
    const o = { latencyMs: 10, backoffMs: 25, retries: 1 };
    const { clock, timers, store, targets, source } = setup(8, [0], o);
    await timers.run(runPollCycle({ store, sourceFor: () => source, concurrency: 1, now: clock.now, logger: silentLogger }));
    const first = exportKeyId(targets[0]!);
    const order = source.attempts.map(([id, attempt, t]) => `${id === first ? 'failing' : 'healthy'}#${attempt}@${t - T0}`);
    // Healthy polls run at 10, 20, 30; the one running at 35 finishes at 40, and the retry takes the slot then.
    expect(order.slice(0, 6)).toEqual(['failing#1@0', 'healthy#1@10', 'healthy#1@20', 'healthy#1@30', 'failing#2@40', 'healthy#1@50']);
    expect(source.maxInFlight).toBe(1);
  });

  it('ends promptly on abort: polls in backoff stop waiting and nothing new starts', async () => {
    const o = { latencyMs: 10, backoffMs: 60_000, retries: 2 };
    const { clock, timers, store, source } = setup(6, [0, 1, 2, 3, 4, 5], o);
    const abort = new AbortController();
    // This fake source listens on the cycle's signal once per waiting poll (the real client shares one listener).
    setMaxListeners(20, abort.signal);
    const cycle = runPollCycle({ store, sourceFor: () => source, concurrency: 2, now: clock.now, logger: silentLogger, signal: abort.signal });
    // Run the fake clock until every export has sent its first attempt and is backing off, then shut down.
    const started = timers.run(
      (async () => {
        while (source.attempts.length < 6) await new Promise((r) => setImmediate(r));
      })(),
    );
    await started;
    expect(clock.ms - T0).toBe(30);
    abort.abort();
    await timers.run(cycle);
    expect(clock.ms - T0).toBe(30);
    expect(source.attempts).toHaveLength(6);
    expect(timers.pending).toBe(0);
  });
});
