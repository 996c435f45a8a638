import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, failing, key, progress, startHarness, T0, TOKEN, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('retries', () => {
  it('429 with a bare string body and no Retry-After backs off exponentially with jitter', async () => {
    h.script(failing(2, { kind: 'error', status: 429 }));
    const r = await h.client({ poll: { retries: 3, backoffInitialMs: 500 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    // random() is fixed at 0.5: half of 500 * 2^0, then half of 500 * 2^1.
    expect(h.sleeper.delays).toEqual([250, 500]);
    expect(h.observer.codes()).toEqual(['429', '429', '200']);
    expect(h.observer.retryReasons()).toEqual(['429', '429']);
  });

  it('429 with Retry-After in seconds waits exactly that long', async () => {
    h.script(failing(1, { kind: 'error', status: 429, retryAfter: '7' }));
    const r = await h.client({ poll: { retries: 1 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(h.sleeper.delays).toEqual([7000]);
  });

  it('Retry-After as an HTTP date is measured against the injected clock', async () => {
    const at = new Date(T0 + 4000).toUTCString();
    h.script(failing(1, { kind: 'error', status: 429, retryAfter: at }));
    await h.client({ poll: { retries: 1 } }).fetchStatus(key());
    expect(h.sleeper.delays).toEqual([4000]);
  });

  it('Retry-After is capped at backoffMaxMs', async () => {
    h.script(failing(1, { kind: 'error', status: 503, retryAfter: '3600' }));
    await h.client({ poll: { retries: 1, backoffMaxMs: 10_000 } }).fetchStatus(key());
    expect(h.sleeper.delays).toEqual([10_000]);
  });

  it('500 then success', async () => {
    h.script(failing(1, { kind: 'error', status: 500 }));
    const r = await h.client({ poll: { retries: 2 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(h.observer.codes()).toEqual(['500', '200']);
    expect(h.observer.retryReasons()).toEqual(['500']);
  });

  it('gives up after poll.retries extra attempts and reports the last failure', async () => {
    h.script({ kind: 'error', status: 503 });
    const r = await h.client({ poll: { retries: 2 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '503', attempts: 3, message: 'HTTP 503: 503 Service Unavailable' });
    expect(r.requestId).toBe(h.sim.requests[2]?.requestId);
    expect(h.sim.requestCount).toBe(3);
    expect(h.observer.codes()).toEqual(['503', '503', '503']);
    expect(h.observer.retryReasons()).toEqual(['503', '503']);
    expect(h.sleeper.delays).toHaveLength(2);
  });

  it('reports a throttling body in the message', async () => {
    const body = {
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second',
    };
    h.script({ kind: 'error', status: 429, body });
    const r = await h.client().fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '429', errorCode: 'APIGW.0308', attempts: 1 });
    expect(r.ok || r.message).toBe(`HTTP 429 APIGW.0308: ${body.error_msg}`);
  });

  it.each([400, 403, 404])('%i is not retried', async (status) => {
    h.script({ kind: 'error', status });
    const r = await h.client({ poll: { retries: 3 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: String(status), attempts: 1 });
    expect(h.sim.requestCount).toBe(1);
    expect(h.observer.retries).toEqual([]);
  });

  it('logs one debug line per retry, without credentials', async () => {
    const log = captureLogger();
    h.script(failing(2, { kind: 'error', status: 502 }));
    await h.client({ poll: { retries: 2 }, options: { logger: log.logger } }).fetchStatus(key());
    const lines = log.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 20, reason: '502', attempt: 1, delayMs: 250 });
    expect(lines[1]).toMatchObject({ level: 20, reason: '502', attempt: 2, delayMs: 500 });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe('aborting', () => {
  it("the caller's signal ends a backoff wait at once", async () => {
    h.script({ kind: 'error', status: 503 });
    const controller = new AbortController();
    const c = h.client({ poll: { retries: 5, backoffInitialMs: 60_000, backoffMaxMs: 60_000 }, options: { sleep: undefined } });
    const started = Date.now();
    const pending = c.fetchStatus(key(), controller.signal);
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ ok: false, reason: '503', attempts: 1 });
  });

  it("the caller's signal ends a hanging request", async () => {
    h.script({ kind: 'hang' });
    const controller = new AbortController();
    const c = h.client({ poll: { timeoutMs: 60_000, retries: 3 } });
    const pending = c.fetchStatus(key(), controller.signal);
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    expect(r).toMatchObject({ ok: false, reason: 'timeout', attempts: 1 });
    expect(h.observer.codes()).toEqual(['timeout']);
    expect(h.observer.retries).toEqual([]);
  });

  it('an already aborted signal sends nothing', async () => {
    h.script(progress);
    const r = await h.client().fetchStatus(key(), AbortSignal.abort());
    expect(r).toMatchObject({ ok: false, reason: 'timeout', attempts: 0 });
    expect(h.sim.requestCount).toBe(0);
    expect(h.observer.requests).toEqual([]);
  });

  it('many concurrent polls on one long-lived signal add one abort listener each, and leave none behind', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const keys = Array.from({ length: 40 }, (_, i) => h.script({ kind: 'hang' }, key(String(i + 1))));
      const controller = new AbortController();
      // As the exporter does with its own signal: many polls listening on it at once is by design.
      setMaxListeners(0, controller.signal);
      const c = h.client({ poll: { timeoutMs: 60_000, concurrency: 40 } });
      const pending = keys.map((k) => c.fetchStatus(k, controller.signal));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(40);
      controller.abort();
      const results = await Promise.all(pending);
      expect(results.every((r) => !r.ok && r.reason === 'timeout')).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

      const done = new AbortController();
      setMaxListeners(0, done.signal);
      h.script(progress);
      const ok = await Promise.all(Array.from({ length: 20 }, () => c.fetchStatus(key(), done.signal)));
      expect(ok.every((r) => r.ok)).toBe(true);
      expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('close() ends requests in flight', async () => {
    h.script({ kind: 'hang' });
    const c = h.client({ poll: { timeoutMs: 60_000 } });
    const pending = c.fetchStatus(key());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await c.close();
    expect(await pending).toMatchObject({ ok: false });
    expect(await c.fetchStatus(key())).toMatchObject({ ok: false });
  });
});
