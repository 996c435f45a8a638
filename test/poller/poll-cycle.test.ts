import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { exportKeyId, type ExportKey } from '../../src/domain/export.js';
import type { PollResult } from '../../src/domain/poll.js';
import { runPollCycle, type StatusSource } from '../../src/poller/poll-cycle.js';
import { ExportStore } from '../../src/store/export-store.js';
import { FakeClock, failure, silentLogger, success, target } from '../support/factories.js';

/** In-memory fake of the API: answers from a table, counts calls and concurrency. */
class FakeSource implements StatusSource {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  answers = new Map<string, PollResult>();
  constructor(
    private readonly clock: FakeClock,
    private readonly latencyMs = 0,
  ) {}

  async fetchStatus(key: ExportKey): Promise<PollResult> {
    const id = exportKeyId(key);
    this.calls.push(id);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.clock.advance(this.latencyMs);
    this.inFlight--;
    return this.answers.get(id) ?? success();
  }
}

const targets = Array.from({ length: 10 }, (_, i) => target({ exportId: String(i + 1) }));

describe('runPollCycle', () => {
  it('polls every export once with at most `concurrency` in flight', async () => {
    const clock = new FakeClock();
    const store = new ExportStore();
    store.sync(targets);
    const source = new FakeSource(clock, 5);
    const summary = await runPollCycle({ store, sourceFor: () => source, concurrency: 3, now: clock.now, logger: silentLogger });
    expect(source.calls.sort()).toEqual(targets.map(exportKeyId).sort());
    expect(source.maxInFlight).toBe(3);
    expect(summary).toMatchObject({ polled: 10, failed: 0 });
    expect(summary.durationMs).toBe(50);
  });

  it('records failures and successes with the clock time', async () => {
    const clock = new FakeClock(1_000_000);
    const store = new ExportStore();
    store.sync(targets.slice(0, 2));
    const source = new FakeSource(clock);
    source.answers.set(exportKeyId(targets[1]!), failure('401'));
    const summary = await runPollCycle({ store, sourceFor: () => source, concurrency: 4, now: clock.now, logger: silentLogger });
    expect(summary.failed).toBe(1);
    expect(store.get(exportKeyId(targets[0]!))?.lastSuccessAt).toBe(1000);
    expect(store.get(exportKeyId(targets[1]!))?.errors.get('401')).toBe(1);
  });

  it('does not poll completed exports again but keeps their state', async () => {
    const clock = new FakeClock();
    const store = new ExportStore();
    store.sync(targets.slice(0, 2));
    const source = new FakeSource(clock);
    source.answers.set(exportKeyId(targets[0]!), success({ status: 'completed', percentage: 100 }));
    await runPollCycle({ store, sourceFor: () => source, concurrency: 4, now: clock.now, logger: silentLogger });
    source.calls = [];
    await runPollCycle({ store, sourceFor: () => source, concurrency: 4, now: clock.now, logger: silentLogger });
    expect(source.calls).toEqual([exportKeyId(targets[1]!)]);
    expect(store.get(exportKeyId(targets[0]!))?.observation?.status).toBe('completed');
  });

  it('turns a throwing source into a counted failure instead of crashing', async () => {
    const clock = new FakeClock();
    const store = new ExportStore();
    store.sync(targets.slice(0, 1));
    const source: StatusSource = { fetchStatus: () => Promise.reject(new Error('boom')) };
    const summary = await runPollCycle({ store, sourceFor: () => source, concurrency: 1, now: clock.now, logger: silentLogger });
    expect(summary.failed).toBe(1);
    expect(store.get(exportKeyId(targets[0]!))?.errors.get('network')).toBe(1);
  });

  it('stops picking up work and records nothing once aborted', async () => {
    const clock = new FakeClock();
    const store = new ExportStore();
    store.sync(targets);
    const abort = new AbortController();
    const source = new FakeSource(clock);
    const original = source.fetchStatus.bind(source);
    source.fetchStatus = async (key) => {
      await original(key);
      abort.abort();
      return failure('timeout');
    };
    await runPollCycle({ store, sourceFor: () => source, concurrency: 2, now: clock.now, logger: silentLogger, signal: abort.signal });
    expect(source.calls.length).toBe(2);
    for (const state of store.states()) expect(state.lastPollOk).toBeUndefined();
  });

  it('logs the raw value of an unrecognised status on the first unknown answer and on each new spelling', async () => {
    const clock = new FakeClock();
    const store = new ExportStore();
    store.sync(targets.slice(0, 1));
    const source = new FakeSource(clock);
    const lines: Array<{ msg: string; rawStatus?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { msg: string; rawStatus?: string }) });
    const poll = async (rawStatus: string) => {
      source.answers.set(exportKeyId(targets[0]!), success({ status: 'unknown', rawStatus }));
      await runPollCycle({ store, sourceFor: () => source, concurrency: 1, now: clock.now, logger });
    };
    const unrecognised = () => lines.filter((l) => l.msg === 'export reports an unrecognised status').map((l) => l.rawStatus);
    await poll('Queued');
    expect(unrecognised()).toEqual(['Queued']);
    await poll('Queued');
    expect(unrecognised()).toEqual(['Queued']);
    await poll('Waiting');
    expect(unrecognised()).toEqual(['Queued', 'Waiting']);
  });
});
