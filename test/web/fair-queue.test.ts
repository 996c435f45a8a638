import { describe, expect, it } from 'vitest';
import { clientKey, FairQueue } from '../../src/web/fair-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

/** Tasks that finish when told, in the order they started. */
function gated() {
  const started: Array<{ name: string; finish: () => void }> = [];
  const task = (name: string) => () => new Promise<string>((resolve) => started.push({ name, finish: () => resolve(name) }));
  return { started, task };
}

describe('clientKey', () => {
  it('keys IPv4 (also IPv4-mapped) by address and IPv6 by its /64', () => {
    expect(clientKey('127.0.0.2')).toBe('127.0.0.2');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('FairQueue', () => {
  it('caps one address whatever else differs, and serves a newcomer after the check running', async () => {
    const { started, task } = gated();
    const q = new FairQueue(4, 64);
    const flood = Array.from({ length: 20 }, (_, i) => q.run('2001:db8::' + i.toString(16), task(`flood-${i}`)));
    await tick();
    expect(started.map((s) => s.name)).toEqual(['flood-0']);
    // Twenty addresses of one /64 are one client: one running, four waiting, the rest refused at once.
    expect(await Promise.all(flood.slice(5))).toEqual(Array(15).fill(undefined));
    const other = q.run('10.0.0.9', task('other'));
    started[0]!.finish();
    await tick();
    expect(started.map((s) => s.name)).toEqual(['flood-0', 'other']);
    started[1]!.finish();
    expect(await other).toBe('other');
  });

  it('makes room for one more address in a full queue by pushing out the heaviest address', async () => {
    const { started, task } = gated();
    const q = new FairQueue(5, 8);
    const a = Array.from({ length: 6 }, (_, i) => q.run('10.0.0.1', task(`a${i}`)));
    const b = Array.from({ length: 3 }, (_, i) => q.run('10.0.0.2', task(`b${i}`)));
    await tick();
    // a0 running; a1-a5 and b0-b2 wait: the queue of 8 is full. A third address pushes out a5 (a has the most).
    const c = q.run('10.0.0.3', task('c0'));
    expect(await a[5]).toBeUndefined();
    for (let i = 0; i < 9; i++) {
      started[i]!.finish();
      await tick();
    }
    expect(started.map((s) => s.name)).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
    expect(await c).toBe('c0');
    expect(await Promise.all(b)).toEqual(['b0', 'b1', 'b2']);
    // With every address down to one waiting check, a newcomer in a full queue is refused instead.
    const q2 = new FairQueue(5, 2);
    const first = [q2.run('10.0.1.1', task('x')), q2.run('10.0.1.2', task('y')), q2.run('10.0.1.3', task('z'))];
    expect(await q2.run('10.0.1.4', task('w'))).toBeUndefined();
    void first;
  });
});
