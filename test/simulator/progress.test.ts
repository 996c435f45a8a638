import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, T0 } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function poll(behaviour: Behaviour, clock = fakeClock()): Promise<{ at: (ms: number) => Promise<unknown> }> {
  sim = await startSimulator({ now: clock.now, exports: [{ ...key('1'), behaviour }] });
  const s = sim;
  return {
    async at(ms) {
      clock.set(T0 + ms);
      const res = await get(s.url, exportPath(key('1')));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      return res.json();
    },
  };
}

describe('progress behaviour', () => {
  it('moves linearly from 0 to completed with the default spellings and shapes', async () => {
    const p = await poll({ kind: 'progress', durationMs: 40_000 });
    expect(await p.at(0)).toEqual({ export_id: '1', status: 'processing', percentage: 0, created_at: '2025-03-20T02:48:06Z' });
    expect(await p.at(12_000)).toMatchObject({ status: 'processing', percentage: 30 });
    expect(await p.at(11_600)).toMatchObject({ percentage: 29 });
    expect(await p.at(39_999)).toMatchObject({ status: 'processing', percentage: 99 });
    expect(await p.at(40_000)).toMatchObject({ status: 'completed', percentage: 100 });
    expect(await p.at(400_000)).toMatchObject({ status: 'completed', percentage: 100 });
  });

  it('starts at startedAt when given, and never reports before it as negative', async () => {
    const p = await poll({ kind: 'progress', durationMs: 10_000, startedAt: T0 + 5_000 });
    expect(await p.at(0)).toMatchObject({ percentage: 0, created_at: '2025-03-20T02:48:11Z' });
    expect(await p.at(10_000)).toMatchObject({ percentage: 50 });
  });

  it.each([
    ['number', 30.55, 30],
    ['string', 30.55, '30'],
    ['percent', 30.55, '30%'],
    ['float-string', 30.55, '30.5'],
    ['float-string', 30, '30.0'],
    ['percent', 100, '100%'],
  ] as const)('percentShape %s at %d%% → %j', async (percentShape, percent, expected) => {
    const p = await poll({ kind: 'progress', durationMs: 100_000, percentShape });
    expect(await p.at(percent * 1000)).toMatchObject({ percentage: expected });
  });

  it('uses the given spellings for every phase', async () => {
    const spelling = { processing: 'Running', completed: 'COMPLETED', failed: 'Failed' };
    const done = await poll({ kind: 'progress', durationMs: 1_000, spelling });
    expect(await done.at(500)).toMatchObject({ status: 'Running' });
    expect(await done.at(1_000)).toMatchObject({ status: 'COMPLETED' });
    await sim?.close();
    const failing = await poll({ kind: 'progress', durationMs: 1_000, failAtPercent: 10, spelling });
    expect(await failing.at(500)).toMatchObject({ status: 'Failed', percentage: 10 });
  });

  it('writes created_at with Z or +00:00', async () => {
    const p = await poll({ kind: 'progress', durationMs: 1_000, createdAtStyle: 'offset' });
    expect(await p.at(0)).toMatchObject({ created_at: '2025-03-20T02:48:06+00:00' });
  });

  it('stalls at stallAtPercent and never completes', async () => {
    const p = await poll({ kind: 'progress', durationMs: 10_000, stallAtPercent: 45, percentShape: 'percent' });
    expect(await p.at(4_000)).toMatchObject({ status: 'processing', percentage: '40%' });
    expect(await p.at(4_500)).toMatchObject({ status: 'processing', percentage: '45%' });
    expect(await p.at(3_600_000)).toMatchObject({ status: 'processing', percentage: '45%' });
  });

  it('fails at failAtPercent and stays failed', async () => {
    const p = await poll({ kind: 'progress', durationMs: 10_000, failAtPercent: 60 });
    expect(await p.at(5_900)).toMatchObject({ status: 'processing', percentage: 59 });
    expect(await p.at(6_000)).toMatchObject({ status: 'failed', percentage: 60 });
    expect(await p.at(60_000)).toMatchObject({ status: 'failed', percentage: 60 });
  });

  it('lets whichever of stall and failure comes first win', async () => {
    const p = await poll({ kind: 'progress', durationMs: 10_000, stallAtPercent: 30, failAtPercent: 60 });
    expect(await p.at(60_000)).toMatchObject({ status: 'processing', percentage: 30 });
  });

  it('defaults the start to when the behaviour was set, and restarts it on replacement', async () => {
    const clock = fakeClock();
    const p = await poll({ kind: 'progress', durationMs: 10_000 }, clock);
    expect(await p.at(5_000)).toMatchObject({ percentage: 50 });
    sim?.setBehaviour(key('1'), { kind: 'progress', durationMs: 10_000 });
    expect(await p.at(6_000)).toMatchObject({ percentage: 10, created_at: '2025-03-20T02:48:11Z' });
  });
});
