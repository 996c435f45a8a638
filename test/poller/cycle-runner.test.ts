import { describe, expect, it } from 'vitest';
import { createCycleRunner } from '../../src/poller/cycle-runner.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createCycleRunner', () => {
  it('skips and counts a tick that finds the previous cycle running', async () => {
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
    const runner = createCycleRunner(() => Promise.reject(new Error('x')), () => undefined);
    await expect(runner.tick()).resolves.toBeUndefined();
    expect(runner.running).toBe(false);
  });
});
