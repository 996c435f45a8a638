import { describe, expect, it } from 'vitest';
import { onceExitCode, runOnce, runWait, verdict, waitExitCode, type PollDriver, type Sleep } from '../../src/cli/wait-loop.js';
import type { ExportJson } from '../../src/view-model/export-json.js';
import { exportKeyId, type ExportTarget } from '../../src/domain/export.js';
import type { PollResult } from '../../src/domain/poll.js';
import { applyPollResult, initialState, type ExportState } from '../../src/domain/export-state.js';
import { FakeClock, failure, success, target } from '../support/factories.js';

/**
 * A poller on a fake clock: every `cycleMs` of fake time (the first at once) it applies each export's next
 * scripted result and calls onCycle. The fake sleep moves the clock, firing cycles on the way, and stops early
 * when its signal aborts (a finished cycle wakes the loop).
 */
class FakeWorld {
  readonly clock = new FakeClock();
  readonly states = new Map<string, ExportState>();
  readonly scripts = new Map<string, PollResult[]>();
  onCycle: (() => void) | undefined;
  nextCycleAt: number | undefined;
  cycles = 0;
  sleeps: number[] = [];

  constructor(
    exports: Array<[Partial<ExportTarget>, PollResult[]]>,
    readonly cycleMs = 1000,
  ) {
    for (const [t, script] of exports) {
      const tt = target(t);
      this.states.set(exportKeyId(tt), initialState(tt));
      this.scripts.set(exportKeyId(tt), [...script]);
    }
  }

  cycle(): void {
    for (const [id, script] of this.scripts) {
      const result = script.length > 1 ? script.shift() : script[0];
      if (result) this.states.set(id, applyPollResult(this.states.get(id)!, result, this.clock.ms / 1000));
    }
    this.cycles++;
    this.onCycle?.();
  }

  readonly driver: PollDriver = {
    pollOnce: async () => this.cycle(),
    start: (onCycle) => {
      this.onCycle = onCycle;
      this.nextCycleAt = this.clock.ms;
      // The first cycle runs at once, but (like the real one) finishes asynchronously.
      queueMicrotask(() => this.fire());
    },
    states: () => this.states.values(),
  };

  fire(): void {
    while (this.nextCycleAt !== undefined && this.nextCycleAt <= this.clock.ms) {
      this.nextCycleAt += this.cycleMs;
      this.cycle();
    }
  }

  readonly sleep: Sleep = async (ms, signal) => {
    this.sleeps.push(ms);
    const until = this.clock.ms + ms;
    while (this.clock.ms < until && !signal.aborted) {
      const next = this.nextCycleAt !== undefined && this.nextCycleAt <= until ? this.nextCycleAt : until;
      this.clock.ms = Math.max(this.clock.ms, next);
      this.fire();
    }
  };
}

const progress = (...pcts: number[]): PollResult[] =>
  pcts.map((p) => success({ percentage: p, status: p >= 100 ? 'completed' : 'processing', rawStatus: p >= 100 ? 'completed' : 'processing' }));

describe('runWait', () => {
  it('polls until every export completed, reporting each look, exit 0', async () => {
    const world = new FakeWorld([
      [{ serverId: 'a' }, progress(10, 60, 100)],
      [{ serverId: 'b' }, progress(50, 100)],
    ]);
    const updates: ExportJson[][] = [];
    const started = world.clock.ms;
    const r = await runWait({
      driver: world.driver,
      now: world.clock.now,
      sleep: world.sleep,
      signal: new AbortController().signal,
      onUpdate: (rows) => updates.push([...rows]),
    });
    expect(r.outcome).toBe('completed');
    expect(waitExitCode(r.outcome)).toBe(0);
    expect(world.clock.ms - started).toBe(2000);
    expect(r.rows.map((x) => x.condition)).toEqual(['completed', 'completed']);
    expect(updates[0]!.every((x) => x.condition === 'not_polled')).toBe(true);
    expect(updates.at(-1)!.map((x) => x.percentage)).toEqual([100, 100]);
  });

  it('wakes up when a cycle finishes instead of sleeping out its check interval', async () => {
    const world = new FakeWorld([[{ serverId: 'a' }, progress(10, 100)]], 300);
    const r = await runWait({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal, checkEveryMs: 10_000 });
    expect(r.outcome).toBe('completed');
    expect(world.clock.ms - Date.UTC(2026, 0, 1)).toBe(300);
  });

  it('ends with failed (exit 3, never the usage code 2) once all exports are done and one of them failed', async () => {
    const world = new FakeWorld([
      [{ serverId: 'a' }, progress(10, 100)],
      [{ serverId: 'b' }, [success({ percentage: 20 }), success({ status: 'failed', rawStatus: 'failed', percentage: 40 })]],
    ]);
    const r = await runWait({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal });
    expect(r.outcome).toBe('failed');
    expect(waitExitCode(r.outcome)).toBe(3);
  });

  it('keeps waiting while polls fail, and gives up at the timeout (exit 1)', async () => {
    const world = new FakeWorld([
      [{ serverId: 'a' }, progress(10, 100)],
      [{ serverId: 'b' }, [failure('500')]],
    ]);
    const started = world.clock.ms;
    const r = await runWait({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal, timeoutMs: 2500 });
    expect(r.outcome).toBe('timeout');
    expect(waitExitCode(r.outcome)).toBe(1);
    expect(world.clock.ms - started).toBe(2500);
    expect(Math.max(...world.sleeps)).toBeLessThanOrEqual(1000);
    expect(r.rows[0]!.condition).toBe('poll_failing');
  });

  it('stops when the signal aborts', async () => {
    const world = new FakeWorld([[{ serverId: 'a' }, progress(10)]]);
    const ac = new AbortController();
    let looks = 0;
    const r = await runWait({
      driver: world.driver,
      now: world.clock.now,
      sleep: world.sleep,
      signal: ac.signal,
      onUpdate: () => {
        if (++looks === 3) ac.abort('SIGINT');
      },
    });
    expect(r.outcome).toBe('interrupted');
    expect(looks).toBe(3);
  });

  it('is done at once with no exports', async () => {
    const world = new FakeWorld([]);
    const r = await runWait({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal });
    expect(r.outcome).toBe('completed');
  });
});

describe('runOnce', () => {
  it('answered (exit 0) when every poll succeeded, whatever the exports report', async () => {
    const world = new FakeWorld([
      [{ serverId: 'a' }, progress(10)],
      [{ serverId: 'b' }, [success({ status: 'failed', rawStatus: 'failed' })]],
    ]);
    const r = await runOnce({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal });
    expect(r.outcome).toBe('answered');
    expect(onceExitCode(r.outcome)).toBe(0);
    expect(world.cycles).toBe(1);
  });

  it('poll_failed (exit 1) when any poll failed', async () => {
    const world = new FakeWorld([
      [{ serverId: 'a' }, progress(10)],
      [{ serverId: 'b' }, [failure('401')]],
    ]);
    const r = await runOnce({ driver: world.driver, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal });
    expect(r.outcome).toBe('poll_failed');
    expect(onceExitCode(r.outcome)).toBe(1);
  });

  it('times out when the poll does not finish in time', async () => {
    const world = new FakeWorld([[{ serverId: 'a' }, progress(10)]]);
    const hanging: PollDriver = { ...world.driver, pollOnce: () => new Promise(() => undefined) };
    const started = world.clock.ms;
    const r = await runOnce({ driver: hanging, now: world.clock.now, sleep: world.sleep, signal: new AbortController().signal, timeoutMs: 5000 });
    expect(r.outcome).toBe('timeout');
    expect(world.clock.ms - started).toBe(5000);
    expect(r.rows[0]!.poll_success).toBeNull();
  });

  it('is interrupted by the signal', async () => {
    const world = new FakeWorld([[{ serverId: 'a' }, progress(10)]]);
    const ac = new AbortController();
    const hanging: PollDriver = { ...world.driver, pollOnce: () => new Promise(() => undefined) };
    const sleep: Sleep = async (ms, signal) => {
      ac.abort('SIGTERM');
      await world.sleep(ms, signal);
    };
    const r = await runOnce({ driver: hanging, now: world.clock.now, sleep, signal: ac.signal });
    expect(r.outcome).toBe('interrupted');
  });
});

describe('verdict', () => {
  const rowOf = (condition: ExportJson['condition'], retired: ExportJson['retired'] = null) => ({ condition, retired }) as ExportJson;
  it('is undefined while any export is pending, failed when any failed, else completed', () => {
    expect(verdict([rowOf('completed'), rowOf('processing')])).toBeUndefined();
    expect(verdict([rowOf('completed'), rowOf('poll_failing')])).toBeUndefined();
    expect(verdict([rowOf('completed'), rowOf('failed')])).toBe('failed');
    expect(verdict([rowOf('completed'), rowOf('retired', { at: '', reason: 'completed' })])).toBe('completed');
    expect(verdict([rowOf('retired', { at: '', reason: 'not_found' })])).toBe('failed');
  });
});
