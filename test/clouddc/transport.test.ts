import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, sendOnce } from '../../src/clouddc/transport.js';

// Faults the simulator does not script: a body that trickles forever and a chunked body with no length.
let server: Server | undefined;
let pool: Pool | undefined;
const timers = new Set<NodeJS.Timeout>();

afterEach(async () => {
  for (const t of timers) clearInterval(t);
  timers.clear();
  await pool?.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  pool = undefined;
});

async function serve(handler: (res: ServerResponse) => void): Promise<Pool> {
  server = createServer((_req, res) => handler(res));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  return pool;
}

function every(ms: number, fn: () => void): void {
  timers.add(setInterval(fn, ms));
}

const base = { path: '/', headers: {}, signal: new AbortController().signal };

/** A dispatcher that fails every request with `err`, the way undici reports errors: later, through the handler. */
function failingWith(err: unknown): Dispatcher {
  return {
    dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      setImmediate(() => handler.onResponseError?.({} as Dispatcher.DispatchController, err as Error));
      return true;
    },
  } as unknown as Dispatcher;
}

describe('sendOnce', () => {
  it('the timeout covers a body that keeps trickling', async () => {
    const dispatcher = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      every(20, () => res.write(' '));
    });
    const started = Date.now();
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 300 });
    expect(out).toMatchObject({ kind: 'failure', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an abort through the hook cuts a body that keeps trickling', async () => {
    const dispatcher = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      every(20, () => res.write(' '));
    });
    let listener: (() => void) | undefined;
    const hook = { aborted: false, setAbortListener: (l: (() => void) | undefined) => void (listener = l) };
    setTimeout(() => {
      hook.aborted = true;
      listener?.();
    }, 150);
    const started = Date.now();
    const out = await sendOnce({ ...base, signal: hook, dispatcher, timeoutMs: 60_000 });
    expect(out).toMatchObject({ kind: 'failure', reason: 'timeout', message: 'request aborted' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(listener).toBeUndefined();
  });

  it('refuses a declared Content-Length over 1 MiB without reading the body', async () => {
    let closed = false;
    const dispatcher = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) });
      res.on('close', () => (closed = true));
      res.write('{');
    });
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 5000 });
    expect(out).toMatchObject({ kind: 'response', status: 200, text: undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it('skips an informational 103 and reads the final answer', async () => {
    const dispatcher = await serve((res) => {
      res.writeEarlyHints({ link: '</x>; rel=preload' });
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
      res.end('{"a":1}');
    });
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 5000 });
    expect(out).toMatchObject({ kind: 'response', status: 200, text: '{"a":1}', headers: { 'x-request-id': 'r-1' } });
  });

  it('times out a request still queued for a busy connection', async () => {
    const dispatcher = await serve(() => {}); // never answers; one connection, so the second request queues
    const first = sendOnce({ ...base, dispatcher, timeoutMs: 10_000 });
    const started = Date.now();
    const second = await sendOnce({ ...base, dispatcher, timeoutMs: 200 });
    expect(second).toMatchObject({ kind: 'failure', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await pool?.destroy();
    expect(await first).toMatchObject({ kind: 'failure' });
  });

  it('stops reading a chunked body at 1 MiB', async () => {
    let written = 0;
    let closed = false;
    const dispatcher = await serve((res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.on('close', () => (closed = true));
      every(1, () => {
        if (!res.destroyed) written += res.write(Buffer.alloc(64 * 1024, 0x61)) ? 64 * 1024 : 0;
      });
    });
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 10_000 });
    expect(out).toMatchObject({ kind: 'response', status: 500, text: undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(written).toBeLessThan(MAX_BODY_BYTES * 8);
  });

  it('reads a body of exactly 1 MiB', async () => {
    const body = Buffer.alloc(MAX_BODY_BYTES, 0x62);
    const dispatcher = await serve((res) => res.end(body));
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 5000 });
    expect(out.kind === 'response' && out.text?.length).toBe(MAX_BODY_BYTES);
  });

  it.each([
    ['ENOTFOUND', 'network'],
    ['EAI_AGAIN', 'network'],
    ['ECONNRESET', 'network'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'network'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'network'],
    ['UND_ERR_SOCKET', 'network'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
  ])('classifies %s as %s', async (code, reason) => {
    const dispatcher = failingWith(Object.assign(new Error(`failed with ${code}`), { code }));
    const out = await sendOnce({ ...base, dispatcher, timeoutMs: 1000 });
    expect(out).toMatchObject({ kind: 'failure', reason, message: expect.stringContaining(code) });
  });

  it('finds the code on a wrapped cause and survives non-Error rejections', async () => {
    const wrapped = failingWith(new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const weird = failingWith('just a string');
    const a = await sendOnce({ ...base, dispatcher: wrapped, timeoutMs: 1000 });
    const b = await sendOnce({ ...base, dispatcher: weird, timeoutMs: 1000 });
    expect(a).toMatchObject({ reason: 'network', message: 'network error: ECONNREFUSED: fetch failed' });
    expect(b).toMatchObject({ reason: 'network', message: 'network error: unknown error' });
  });

  it('counts an answer that arrived in time as a success even when an event-loop stall makes the timer fire first', async () => {
    // The server runs in a worker thread, with its own event loop, so it answers while this one is stalled.
    const worker = new Worker(
      `const { createServer } = require('node:http');
       const { parentPort } = require('node:worker_threads');
       const server = createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 20));
       server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
       parentPort.on('message', () => server.close(() => process.exit(0)));`,
      { eval: true },
    );
    try {
      const port = await new Promise<number>((resolve) => worker.once('message', resolve));
      pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
      const req = { ...base, dispatcher: pool, timeoutMs: 100 };
      expect((await sendOnce(req)).kind).toBe('response');
      const pending = sendOnce(req);
      await sleep(5);
      // Stall from the check phase, so the next turn of the loop starts with timers, as after a long GC or
      // a slow synchronous step anywhere but in a timer. (A stall inside a timer callback would not do:
      // libuv would still run that turn's I/O before it looks at timers again.)
      await new Promise((resolve) => setImmediate(resolve));
      // 300 ms: the answer lands in the socket at ~20 ms, the 100 ms timer is due long before the loop
      // looks at either.
      const until = performance.now() + 300;
      while (performance.now() < until);
      const outcome = await pending;
      expect(outcome).toMatchObject({ kind: 'response', status: 200, text: '{"ok":true}' });
    } finally {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
