import { describe, expect, it } from 'vitest';
import { ScratchPool } from '../../src/store/scratch-pool.js';

function lease(pool: ScratchPool, size: number): Buffer {
  const whole = pool.take(size);
  return pool.lend(whole.subarray(0, size), whole);
}

describe('ScratchPool', () => {
  it('hands a Buffer out again only after it was given back', () => {
    const pool = new ScratchPool();
    const a = lease(pool, 1000);
    const b = lease(pool, 1000);
    expect(b.buffer).not.toBe(a.buffer);
    pool.give([a]);
    const c = lease(pool, 1000);
    expect(c.buffer).toBe(a.buffer);
    expect(lease(pool, 1000).buffer).not.toBe(b.buffer);
  });

  it('ignores chunks it did not lend and a second give of the same chunk', () => {
    const pool = new ScratchPool(1);
    const a = lease(pool, 100);
    pool.give([Buffer.from('not ours'), a, a]);
    const b = lease(pool, 100);
    expect(b.buffer).toBe(a.buffer);
    // Only one was pooled, so the next lease is new memory, not the one just handed out.
    expect(lease(pool, 100).buffer).not.toBe(b.buffer);
  });

  it('keeps at most `keep` idle Buffers and never returns one that is too small', () => {
    const pool = new ScratchPool(2);
    const leases = [lease(pool, 10), lease(pool, 10), lease(pool, 10)];
    pool.give(leases);
    const reused = [lease(pool, 10), lease(pool, 10), lease(pool, 10)].map((l) => l.buffer);
    expect(reused.filter((b) => leases.some((l) => l.buffer === b))).toHaveLength(2);
    pool.give([lease(pool, 10)]);
    expect(pool.take(10_000).length).toBeGreaterThanOrEqual(10_000);
  });
});
