import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { constants, deflateRaw, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { GzipStitcher } from '../../src/exposition/gzip-stitch.js';
import type { ScrapeLease } from '../../src/exposition/exposition.js';
import { createApp } from '../../src/http/app.js';
import type { ScrapeLimits } from '../../src/http/metrics.js';
import type { ExporterView } from '../../src/http/view.js';
import { silentLogger } from '../support/factories.js';

/**
 * Issue 21 B3: 200 concurrent gzip scrapes of 10,000 exports took gigabytes. Every scrape compressed every
 * uncached segment itself, nothing capped the scrapes served at once, and a client that read nothing held its
 * response (and the memory behind it) forever. Real sockets; the memory figure itself is bench figure 6.
 */

const deflateAsync = promisify(deflateRaw);

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(view: ExporterView, limits: ScrapeLimits): Promise<number> {
  const listening = createApp({ view, logger: silentLogger, scrapeLimits: limits }).listen(0, '127.0.0.1');
  server = listening;
  await new Promise((r) => listening.once('listening', r));
  return (listening.address() as AddressInfo).port;
}

/** A view whose scrapes are `body` and count their releases. */
function leasingView(body: () => Buffer[]) {
  const counts = { leased: 0, released: 0 };
  const view: ExporterView = {
    version: 't',
    ready: () => true,
    states: () => [],
    scrape: () => {
      counts.leased++;
      let done = false;
      const lease: ScrapeLease = {
        chunks: body(),
        encoding: 'identity',
        release: () => {
          if (!done) counts.released++;
          done = true;
        },
      };
      return Promise.resolve(lease);
    },
  };
  return { view, counts };
}

const until = async (ok: () => boolean, what: string) => {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};

describe('gzip scrapes: one compression per segment', () => {
  it('200 concurrent scrapes of 40 uncached chunks compress each chunk once, two at a time at most', async () => {
    let calls = 0;
    let running = 0;
    let most = 0;
    const stitcher = new GzipStitcher({
      deflate: async (chunk) => {
        calls++;
        most = Math.max(most, ++running);
        try {
          return await deflateAsync(chunk, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });
        } finally {
          running--;
        }
      },
    });
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(`metric_${i}{label="${'x'.repeat(i)}"} ${i}\n`.repeat(200)));
    const bodies = await Promise.all(Array.from({ length: 200 }, () => stitcher.gzip(chunks)));
    expect(calls).toBe(40);
    expect(most).toBeLessThanOrEqual(2);
    const whole = Buffer.concat(chunks);
    for (const b of bodies) expect(gunzipSync(Buffer.concat(b)).equals(whole)).toBe(true);
    // A later scrape is served from the cache alone.
    await stitcher.gzip(chunks);
    expect(calls).toBe(40);
  });

  it('a failed compression fails its scrapes and is tried afresh by the next one', async () => {
    let fail = true;
    let calls = 0;
    const stitcher = new GzipStitcher({
      deflate: (chunk) => {
        calls++;
        return fail ? Promise.reject(new Error('zlib broke')) : deflateAsync(chunk, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });
      },
    });
    const chunk = Buffer.from('a 1\n');
    const results = await Promise.allSettled([stitcher.gzip([chunk]), stitcher.gzip([chunk])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    expect(gunzipSync(Buffer.concat(await stitcher.gzip([chunk]))).toString()).toBe('a 1\n');
  });
});

describe('scrapes at once: --web.max-requests', () => {
  it('answers 503 with Retry-After beyond the cap, counts it, and serves again once a slot is free', async () => {
    const gates: Array<() => void> = [];
    let refused = 0;
    const view: ExporterView = {
      version: 't',
      ready: () => true,
      states: () => [],
      // Scrapes that wait until let go, so two stay in flight.
      scrape: () => new Promise((resolve) => gates.push(() => resolve({ chunks: [Buffer.from('m 1\n')], encoding: 'identity', release: () => undefined }))),
    };
    const port = await serve(view, { maxInFlight: 2, writeIdleTimeoutMs: 0, refused: () => refused++ });
    const url = `http://127.0.0.1:${port}/metrics`;
    const held = [fetch(url), fetch(url)];
    await until(() => gates.length === 2, 'two scrapes in flight');
    const third = await fetch(url);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.text()).toMatch(/^Too many scrapes at once \(at most 2, --web\.max-requests\)/);
    expect(refused).toBe(1);
    for (const go of gates.splice(0)) go();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    const fourth = fetch(url);
    await until(() => gates.length === 1, 'the next scrape');
    gates[0]!();
    expect((await fourth).status).toBe(200);
    expect(refused).toBe(1);
  });
});

describe('a client that never reads: --web.write-idle-timeout', () => {
  it('is cut off: the socket closed, the lease released once, counted, and its slot free for the next scrape', async () => {
    // 64 MB: more than the kernel buffers on both ends of a loopback connection hold.
    const mb = Buffer.alloc(1024 * 1024, 'a');
    const { view, counts } = leasingView(() => (counts.leased === 1 ? Array<Buffer>(64).fill(mb) : [Buffer.from('m 1\n')]));
    let timedOut = 0;
    const port = await serve(view, { maxInFlight: 1, writeIdleTimeoutMs: 300, timedOut: () => timedOut++ });
    const socket = connect(port, '127.0.0.1');
    socket.pause(); // never reads a byte
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n');
    await until(() => counts.leased === 1, 'the scrape to start');
    // The one slot is taken while the response is stuck.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(503);
    await until(() => counts.released === 1, 'the lease to be released');
    // The server closed the connection: the client, reading at last, finds it closed.
    socket.resume();
    await closed;
    expect(timedOut).toBe(1);
    const next = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(next.status).toBe(200);
    expect(await next.text()).toBe('m 1\n');
    expect(counts).toEqual({ leased: 2, released: 2 });
  });

  it('leaves a client that reads steadily alone', async () => {
    const kb = Buffer.alloc(64 * 1024, 'b');
    const { view, counts } = leasingView(() => Array<Buffer>(256).fill(kb));
    let timedOut = 0;
    // The reader shares this process with the server: a generous timeout, so a stall of the test process is not one.
    const port = await serve(view, { maxInFlight: 1, writeIdleTimeoutMs: 2000, timedOut: () => timedOut++ });
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const reader = res.body!.getReader();
    let bytes = 0;
    // Reads 16 MB in small bites with pauses far shorter than the timeout: slow, but never idle for long.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(bytes).toBe(16 * 1024 * 1024);
    expect(timedOut).toBe(0);
    await until(() => counts.released === 1, 'the release');
  });
});
