import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { createBasicAuthVerifier, parseBasicAuth } from '../../src/web/basic-auth.js';
import { FakeClock } from '../support/factories.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function counting(clock: FakeClock) {
  const calls: string[] = [];
  const users = new Map([
    ['prometheus', new Secret('hash-of-right')],
    ['grafana', new Secret('hash-of-other')],
  ]);
  const verifier = createBasicAuthVerifier({
    users,
    now: clock.now,
    cacheTtlMs: 60_000,
    cacheSize: 2,
    compare: async (password, hash) => {
      calls.push(hash);
      return hash === `hash-of-${password}`;
    },
  });
  return { verifier, calls };
}

describe('parseBasicAuth', () => {
  it('reads user and password; the password may contain colons', () => {
    expect(parseBasicAuth(basic('a', 'b:c'))).toEqual({ user: 'a', password: 'b:c' });
    expect(parseBasicAuth(`basic   ${Buffer.from('ü:pässword').toString('base64')}`)).toEqual({ user: 'ü', password: 'pässword' });
    expect(parseBasicAuth(basic('', ''))).toEqual({ user: '', password: '' });
  });

  it('refuses other schemes and malformed values', () => {
    expect(parseBasicAuth(undefined)).toBeUndefined();
    expect(parseBasicAuth('Bearer abc')).toBeUndefined();
    expect(parseBasicAuth('Basic')).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
  });
});

describe('basic auth verifier', () => {
  it('runs bcrypt once for repeated right credentials until the cache entry expires', async () => {
    const clock = new FakeClock();
    const { verifier, calls } = counting(clock);
    for (let i = 0; i < 5; i++) expect(await verifier.verify(basic('prometheus', 'right'))).toBe(true);
    expect(calls).toHaveLength(1);
    clock.advance(59_999);
    expect(await verifier.verify(basic('prometheus', 'right'))).toBe(true);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(await verifier.verify(basic('prometheus', 'right'))).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('never caches a failure, and checks unknown users against a real hash too', async () => {
    const { verifier, calls } = counting(new FakeClock());
    expect(await verifier.verify(basic('prometheus', 'wrong'))).toBe(false);
    expect(await verifier.verify(basic('prometheus', 'wrong'))).toBe(false);
    expect(calls).toHaveLength(2);
    // The right password of another user is no way in, and an unknown user costs a comparison as well.
    expect(await verifier.verify(basic('grafana', 'right'))).toBe(false);
    expect(await verifier.verify(basic('nobody', 'right'))).toBe(false);
    expect(calls).toHaveLength(4);
    expect(await verifier.verify(undefined)).toBe(false);
    expect(calls).toHaveLength(4);
    expect(verifier.cacheSize).toBe(0);
  });

  it('keeps at most cacheSize entries, dropping the oldest', async () => {
    const { verifier } = counting(new FakeClock());
    await verifier.verify(basic('prometheus', 'right'));
    await verifier.verify(basic('grafana', 'other'));
    expect(verifier.cacheSize).toBe(2);
    // Same user, a password that only differs after the hash: still a different cache key.
    const users = new Map([['u', new Secret('x')]]);
    let n = 0;
    const v = createBasicAuthVerifier({ users, cacheSize: 2, compare: async () => (n++, true) });
    for (const p of ['a', 'b', 'c', 'a']) await v.verify(basic('u', p));
    expect(v.cacheSize).toBe(2);
    expect(n).toBe(4);
  });

  it('verifies real bcrypt hashes (as htpasswd -B writes them)', async () => {
    const hash = bcrypt.hashSync('s3cret', 4).replace(/^\$2b\$/, '$2y$');
    const v = createBasicAuthVerifier({ users: new Map([['prometheus', new Secret(hash)]]) });
    expect(await v.verify(basic('prometheus', 's3cret'))).toBe(true);
    expect(await v.verify(basic('prometheus', 's3cret!'))).toBe(false);
  });
});

describe('basic auth under a flood of wrong passwords', () => {
  /** A comparison that finishes only when the test says so, to see the order the queue serves. */
  function gated() {
    const pending: Array<{ password: string; finish: () => void }> = [];
    const compare = (password: string, hash: string) =>
      new Promise<boolean>((resolve) => pending.push({ password, finish: () => resolve(hash === `hash-of-${password}`) }));
    return { pending, compare };
  }
  const users = new Map([['prometheus', new Secret('hash-of-right')]]);
  const tick = () => new Promise((r) => setImmediate(r));

  it("runs one check at a time, refuses a client's checks beyond its share at once, and serves clients in turn", async () => {
    const { pending, compare } = gated();
    const v = createBasicAuthVerifier({ users, compare, maxQueuedPerClient: 4 });
    const flood = Array.from({ length: 100 }, (_, i) => v.verify(basic('prometheus', `wrong-${i}`), '10.0.0.66'));
    await tick();
    // One running, four waiting; the other 95 are refused without a comparison.
    expect(pending).toHaveLength(1);
    const settled = await Promise.all(flood.slice(5));
    expect(settled.every((ok) => ok === false)).toBe(true);
    const scraper = v.verify(basic('prometheus', 'right'), '10.0.0.9');
    // The running check ends; the scraper is next, ahead of the flood's four waiting checks.
    pending[0]!.finish();
    await tick();
    expect(pending.map((p) => p.password)).toEqual(['wrong-0', 'right']);
    pending[1]!.finish();
    expect(await scraper).toBe(true);
    // Cached now: answered with no comparison at all while the flood's checks still wait.
    expect(await v.verify(basic('prometheus', 'right'), '10.0.0.9')).toBe(true);
    expect(pending.filter((p) => p.password === 'right')).toHaveLength(1);
    for (let i = 2; i < 6; i++) {
      await tick();
      pending[i]!.finish();
    }
    expect(await Promise.all(flood.slice(0, 5))).toEqual([false, false, false, false, false]);
  });

  it('bounds the whole queue, whatever the number of clients', async () => {
    const { pending, compare } = gated();
    const v = createBasicAuthVerifier({ users, compare, maxQueued: 8 });
    const all = Array.from({ length: 50 }, (_, i) => v.verify(basic('prometheus', `w${i}`), `10.0.1.${i}`));
    await tick();
    expect(pending).toHaveLength(1);
    expect((await Promise.all(all.slice(9))).every((ok) => ok === false)).toBe(true);
    for (let i = 0; i < 9; i++) {
      await tick();
      pending[i]!.finish();
    }
    expect(await Promise.all(all.slice(0, 9))).toEqual(Array(9).fill(false));
    expect(pending).toHaveLength(9);
  });
});
