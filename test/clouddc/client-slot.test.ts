import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src/clouddc/authenticator.js';
import { staticTokenAuthenticator } from '../../src/clouddc/auth/token.js';
import { Secret } from '../../src/domain/secret.js';
import type { Slot } from '../../src/domain/poll.js';
import { failing, key, startHarness, TOKEN, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Records what the client does with its slot, and the sleeps between, in one timeline. */
function recordingSlot(events: string[], answer: () => boolean = () => true): Slot & { held: boolean } {
  const slot = {
    held: true,
    release() {
      events.push('release');
      slot.held = false;
    },
    async retake(signal?: AbortSignal) {
      events.push(signal?.aborted ? 'retake (aborted)' : 'retake');
      const ok = answer();
      slot.held = ok;
      return ok;
    },
  };
  return slot;
}

describe('the client hands its slot back while it waits to retry', () => {
  it('releases before each backoff, retakes after it, and holds the slot for every request', async () => {
    h.script(failing(2, { kind: 'error', status: 500 }));
    const events: string[] = [];
    const slot = recordingSlot(events);
    // Every attempt is authorized right before it is sent: whether the slot is held then is whether the request holds it.
    const heldAtRequest: boolean[] = [];
    const token = staticTokenAuthenticator({ kind: 'inline', value: new Secret(TOKEN) });
    const authenticator: Authenticator = {
      authorize: (req) => {
        heldAtRequest.push(slot.held);
        return token.authorize(req);
      },
    };
    const client = h.client({ authenticator, poll: { retries: 2, backoffInitialMs: 500 }, options: { sleep: async (ms) => void events.push(`sleep ${ms}`) } });
    const r = await client.fetchStatus(key(), undefined, slot);
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(events).toEqual(['release', 'sleep 250', 'retake', 'release', 'sleep 500', 'retake']);
    expect(h.observer.codes()).toEqual(['500', '500', '200']);
    expect(heldAtRequest).toEqual([true, true, true]);
    expect(slot.held).toBe(true);
  });

  it('does the same for a Retry-After wait', async () => {
    h.script(failing(1, { kind: 'error', status: 503, retryAfter: '2' }));
    const events: string[] = [];
    const client = h.client({ poll: { retries: 1 }, options: { sleep: async (ms) => void events.push(`sleep ${ms}`) } });
    await client.fetchStatus(key(), undefined, recordingSlot(events));
    expect(events).toEqual(['release', 'sleep 2000', 'retake']);
  });

  it('keeps the slot when nothing is retried, or the retry needs no wait', async () => {
    h.script(failing(1, { kind: 'error', status: 404 }));
    const events: string[] = [];
    await h.client({ poll: { retries: 2 } }).fetchStatus(key(), undefined, recordingSlot(events));
    expect(events).toEqual([]);
    h.script(failing(1, { kind: 'error', status: 500 }), key('2'));
    const noJitter = h.client({ poll: { retries: 1 }, options: { random: () => 0 } });
    expect(await noJitter.fetchStatus(key('2'), undefined, recordingSlot(events))).toMatchObject({ ok: true, attempts: 2 });
    expect(events).toEqual([]);
  });

  it('ends the poll with the last failure when no slot can be had again (shutdown)', async () => {
    h.script(failing(5, { kind: 'error', status: 500 }));
    const events: string[] = [];
    const client = h.client({ poll: { retries: 3 } });
    const r = await client.fetchStatus(
      key(),
      undefined,
      recordingSlot(events, () => false),
    );
    expect(r).toMatchObject({ ok: false, reason: '500', attempts: 1 });
    expect(events).toEqual(['release', 'retake']);
    expect(h.observer.codes()).toEqual(['500']);
  });

  it('does not try to retake a slot once aborted during the backoff', async () => {
    h.script(failing(5, { kind: 'error', status: 500 }));
    const events: string[] = [];
    const abort = new AbortController();
    const client = h.client({
      poll: { retries: 3 },
      options: {
        sleep: async (_ms, signal) => {
          abort.abort();
          if (signal?.aborted) throw new Error('aborted');
        },
      },
    });
    const r = await client.fetchStatus(key(), abort.signal, recordingSlot(events));
    expect(r).toMatchObject({ ok: false, reason: '500' });
    expect(events).toEqual(['release']);
  });
});
