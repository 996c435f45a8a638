import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { key, startHarness, TOKEN, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('failures are values with a bounded reason', () => {
  it('404 for an unknown export carries the CloudDC error code', async () => {
    const r = await h.client({ poll: { retries: 2 } }).fetchStatus(key('no-such-export'));
    expect(r).toMatchObject({ ok: false, reason: '404', errorCode: 'iMetal.0100', attempts: 1 });
    expect(h.observer.codes()).toEqual(['404']);
  });

  it('camelCase error bodies (errorCode, errorMsg) are read like snake_case ones', async () => {
    h.sim.setErrorKeys('camel');
    const missing = await h.client().fetchStatus(key('no-such-export'));
    expect(missing).toMatchObject({ ok: false, reason: '404', errorCode: 'iMetal.0100', message: expect.stringContaining('Physical servers ID not found') });
    const refused = await h.client({ token: 'MIIwrong' }).fetchStatus(key());
    expect(refused).toMatchObject({ ok: false, reason: '401', errorCode: 'APIGW.0301' });
    expect(h.sim.requests).toHaveLength(2);
  });

  it('a 200 with a body that is not JSON is invalid_response and not retried', async () => {
    h.script({ kind: 'malformed', body: '<html>maintenance</html>' });
    const r = await h.client({ poll: { retries: 2 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'invalid_response', attempts: 1 });
    expect(r.ok || r.message).toMatch(/^invalid response \(HTTP 200\): body is not JSON/);
    expect(h.observer.codes()).toEqual(['200']);
    expect(h.observer.retries).toEqual([]);
  });

  it.each([
    ['an array', [1, 2], /body is not a JSON object/],
    ['a numeric status', { status: 5, percentage: 1, created_at: '2025-03-20T02:48:06Z' }, /status:/],
    ['a date-only created_at', { status: 'processing', percentage: 1, created_at: '2025-03-20' }, /created_at:/],
    ['a word for percentage', { status: 'processing', percentage: 'half', created_at: '2025-03-20T02:48:06Z' }, /percentage: .*"half"/],
  ])('wrong-shape JSON (%s) names the field', async (_name, body, message) => {
    h.script({ kind: 'malformed', body: JSON.stringify(body) });
    const r = await h.client().fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(r.ok || r.message).toMatch(message);
  });

  it('a 200 body over 1 MiB is invalid_response', async () => {
    const pad = 'x'.repeat(1024 * 1024 + 10);
    h.script({ kind: 'fixed', body: { status: 'processing', percentage: 1, created_at: '2025-03-20T02:48:06Z', pad } });
    const r = await h.client().fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'invalid_response', attempts: 1 });
    expect(r.ok || r.message).toMatch(/larger than 1048576 bytes/);
  });

  it('a hanging server times out, once per attempt', async () => {
    h.script({ kind: 'hang' });
    const started = Date.now();
    const r = await h.client({ poll: { timeoutMs: 150, retries: 1 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'timeout', attempts: 2 });
    expect(r.ok || r.message).toBe('no complete answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.observer.codes()).toEqual(['timeout', 'timeout']);
    expect(h.observer.retryReasons()).toEqual(['timeout']);
    for (const req of h.observer.requests) expect(req.durationSeconds).toBeGreaterThanOrEqual(0.1);
  });

  it('a slow answer beyond the timeout is a timeout too', async () => {
    h.script({ kind: 'slow', delayMs: 1000, then: { kind: 'progress', durationMs: 1000 } });
    const r = await h.client({ poll: { timeoutMs: 100 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('a connection reset mid-body is a network failure', async () => {
    h.script({ kind: 'reset' });
    const r = await h.client({ poll: { retries: 1 } }).fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'network', attempts: 2 });
    expect(h.observer.codes()).toEqual(['network', 'network']);
  });

  it('a refused connection is a network failure', async () => {
    const port = await closedPort();
    const c = h.client({ account: { endpoint: `http://127.0.0.1:${port}` } });
    const r = await c.fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: 'network', attempts: 1 });
    expect(r.ok || r.message).toMatch(/ECONNREFUSED/);
    expect(h.observer.codes()).toEqual(['network']);
  });

  it('an HTML gateway page becomes its title', async () => {
    h.script({ kind: 'error', status: 502 });
    const r = await h.client().fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '502', message: 'HTTP 502: 502 Bad Gateway' });
  });

  it('a body that echoes the token is redacted from message and error code', async () => {
    h.script({ kind: 'error', status: 400, body: { error_code: TOKEN, error_msg: `bad token ${TOKEN}${'z'.repeat(300)}` } });
    const r = await h.client().fetchStatus(key());
    expect(r).toMatchObject({ ok: false, reason: '400', errorCode: '<redacted>' });
    expect(r.ok || r.message).toMatch(/^HTTP 400 <redacted>: bad token <redacted>z+/);
    expect(JSON.stringify(r)).not.toContain(TOKEN.slice(0, 12));
  });

  it('an id of ".." is refused before anything is sent', async () => {
    const r = await h.client().fetchStatus(key('..'));
    expect(r).toMatchObject({ ok: false, reason: '404', attempts: 0 });
    expect(h.sim.requestCount).toBe(0);
  });
});
