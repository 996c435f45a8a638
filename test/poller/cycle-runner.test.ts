import { describe, expect, it } from 'vitest';
import { createCycleRunner } from '../../src/poller/cycle-runner.js';
import type { Tick } from '../../src/poller/pacing.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createCycleRunner', () => {
  it('counts and drops an unscheduled tick (by hand) that finds the previous cycle running', async () => {
    const gate = deferred();
    let started = 0;
    let skipped = 0;
    const runner = createCycleRunner(
      async () => {
        started++;
        await gate.promise;
      },
      () => skipped++,
    );
    const first = runner.tick();
    expect(runner.running).toBe(true);
    await runner.tick();
    await runner.tick();
    expect(skipped).toBe(2);
    gate.resolve();
    await first;
    expect(runner.running).toBe(false);
    await runner.tick();
    expect(started).toBe(2);
  });

  it('survives a cycle that rejects', async () => {
    const runner = createCycleRunner(
      () => Promise.reject(new Error('x')),
      () => undefined,
    );
    await expect(runner.tick()).resolves.toBeUndefined();
    expect(runner.running).toBe(false);
  });

  it('starts the cycle of a scheduled tick that found one running as soon as that one ends, saying how late', async () => {
    let clock = 10_000;
    const gate = deferred();
    const seen: Array<Tick | undefined> = [];
    let skipped = 0;
    const runner = createCycleRunner(
      async (tick) => {
        seen.push(tick);
        if (seen.length === 1) await gate.promise;
      },
      () => skipped++,
      () => clock,
    );
    const first = runner.tick({ scheduledAt: 5_000, nextAt: 10_000 });
    await runner.tick({ scheduledAt: 10_000, nextAt: 15_000 });
    await runner.tick({ scheduledAt: 15_000, nextAt: 20_000 });
    expect(skipped).toBe(2);
    expect(seen).toHaveLength(1);
    clock = 16_500;
    gate.resolve();
    await first;
    await runner.idle();
    // Only the latest of the overrun's ticks runs, 1.5 s late, right away rather than at 20 s.
    expect(seen).toEqual([
      { scheduledAt: 5_000, nextAt: 10_000 },
      { scheduledAt: 15_000, nextAt: 20_000, lateMs: 1_500 },
    ]);
    expect(runner.running).toBe(false);
  });

  it('drops a scheduled tick that finds the start-up (unscheduled) cycle running, without counting it', async () => {
    const gate = deferred();
    const seen: Array<Tick | undefined> = [];
    let skipped = 0;
    const runner = createCycleRunner(
      async (tick) => {
        seen.push(tick);
        if (seen.length === 1) await gate.promise;
      },
      () => skipped++,
      () => 5_000,
    );
    // The schedule's first tick 26 ms after the start-up cycle began: the start, not an overrun.
    const first = runner.tick();
    await runner.tick({ scheduledAt: 5_000, nextAt: 10_000 });
    expect(skipped).toBe(0);
    gate.resolve();
    await first;
    await runner.idle();
    // The start-up cycle did the tick's work; polling everything again at once would only repeat it.
    expect(seen).toEqual([undefined]);
  });

  it('idle() waits for the running cycle only (a late one may follow), and cancelLate() drops the late one', async () => {
    const gate = deferred();
    let started = 0;
    let lateDone = false;
    const runner = createCycleRunner(
      async () => {
        started++;
        if (started === 1) await gate.promise;
        else lateDone = true;
      },
      () => undefined,
      () => 0,
    );
    void runner.tick({ scheduledAt: 0 });
    void runner.tick({ scheduledAt: 1 });
    const idle = runner.idle();
    gate.resolve();
    await idle;
    // The late cycle started as the first one ended.
    expect(started).toBe(2);
    await runner.idle();
    expect(lateDone).toBe(true);

    const gate2 = deferred();
    const runner2 = createCycleRunner(
      async () => {
        started++;
        await gate2.promise;
      },
      () => undefined,
    );
    started = 0;
    void runner2.tick({ scheduledAt: 0 });
    void runner2.tick({ scheduledAt: 1 });
    runner2.cancelLate();
    gate2.resolve();
    await runner2.idle();
    expect(started).toBe(1);
  });
});
