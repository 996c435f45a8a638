import { describe, expect, it } from 'vitest';
import { SlotPool, type Lease } from '../../src/poller/slot-pool.js';

const turn = () => new Promise((r) => setImmediate(r));

/** `n` leases of `pool`, all held. */
function leases(pool: SlotPool, n: number): Lease[] {
  return Array.from({ length: n }, () => {
    const l = pool.tryLease();
    if (l === null) throw new Error('pool exhausted');
    return l;
  });
}

describe('SlotPool', () => {
  it('leases at once up to its size, then makes new polls wait for a release', async () => {
    const pool = new SlotPool(2);
    const [a] = leases(pool, 2);
    expect(pool.tryLease()).toBeNull();
    let third: Lease | null | undefined;
    void pool.lease().then((l) => (third = l));
    await turn();
    expect(third).toBeUndefined();
    a!.release();
    await turn();
    expect(third?.held).toBe(true);
    expect(pool.free).toBe(0);
  });

  it('gives a freed slot to the waiting retries first, then to new polls, each in arrival order', async () => {
    const pool = new SlotPool(3);
    const [a, r1, r2] = leases(pool, 3);
    // r1 and r2 back off; two new polls take their slots meanwhile.
    r1!.release();
    r2!.release();
    const [n1, n2] = leases(pool, 2);
    const order: string[] = [];
    void pool.lease().then(() => order.push('new 1'));
    void r1!.retake().then(() => order.push('retry 1'));
    void pool.lease().then(() => order.push('new 2'));
    void r2!.retake().then(() => order.push('retry 2'));
    await turn();
    expect(order).toEqual([]);
    a!.release();
    await turn();
    expect(order).toEqual(['retry 1']);
    n1!.release();
    await turn();
    expect(order).toEqual(['retry 1', 'retry 2']);
    n2!.release();
    r1!.release();
    await turn();
    expect(order).toEqual(['retry 1', 'retry 2', 'new 1', 'new 2']);
    expect(pool.free).toBe(0);
  });

  it('does not let a new poll take a free slot while a retry waits for one', async () => {
    const pool = new SlotPool(2);
    const [a, b] = leases(pool, 2);
    b!.release();
    const [c] = leases(pool, 1);
    const retaken = b!.retake();
    a!.release();
    expect(pool.tryLease()).toBeNull();
    expect(await retaken).toBe(true);
    c!.release();
    expect(pool.tryLease()?.held).toBe(true);
  });

  it('counts a second release and a retake of a held lease as nothing', async () => {
    const pool = new SlotPool(1);
    const [a] = leases(pool, 1);
    a!.release();
    a!.release();
    expect(pool.free).toBe(1);
    expect(await a!.retake()).toBe(true);
    expect(await a!.retake()).toBe(true);
    expect(pool.free).toBe(0);
  });

  it('drops a waiter whose signal aborts, without losing or doubling a slot', async () => {
    const pool = new SlotPool(2);
    const [holder, backedOff] = leases(pool, 2);
    backedOff!.release();
    const [other] = leases(pool, 1);
    const retry = new AbortController();
    const fresh = new AbortController();
    const retake = backedOff!.retake(retry.signal);
    const lease = pool.lease(fresh.signal);
    retry.abort();
    fresh.abort();
    expect(await retake).toBe(false);
    expect(await lease).toBeNull();
    expect(backedOff!.held).toBe(false);
    holder!.release();
    other!.release();
    expect(pool.free).toBe(2);
    expect(await pool.lease(AbortSignal.abort())).toBeNull();
    expect(await backedOff!.retake(AbortSignal.abort())).toBe(false);
  });
});
