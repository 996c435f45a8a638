import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { ExporterView } from '../../src/http/view.js';
import { Exposition } from '../../src/exposition/exposition.js';
import { ExportStore } from '../../src/store/export-store.js';
import { exportKeyId } from '../../src/domain/export.js';
import { silentLogger, success, target } from '../support/factories.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(view: ExporterView): Promise<string> {
  const listening = createApp({ view, logger: silentLogger }).listen(0, '127.0.0.1');
  server = listening;
  await new Promise((r) => listening.once('listening', r));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

function view(overrides: Partial<ExporterView> = {}): ExporterView {
  const exposition = new Exposition();
  const store = new ExportStore(exposition);
  const hostile = target({ exportId: '9', name: '<script>alert(1)</script>' });
  store.sync([target(), hostile]);
  store.apply(exportKeyId(target()), success({ status: 'completed', percentage: 100 }), 1);
  return {
    version: '1.2.3',
    ready: () => true,
    scrape: (opts) => exposition.scrape(2, opts),
    states: () => store.states(),
    ...overrides,
  };
}

describe('HTTP endpoints', () => {
  it('serves the exposition as text with the Prometheus content type', async () => {
    const url = await serve(view());
    const res = await fetch(`${url}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toContain('clouddc_log_export_status{');
  });

  it('gzips the exposition when the scraper asks for it', async () => {
    const url = await serve(view());
    const { request } = await import('undici');
    const res = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString();
    const plain = await view().scrape({ gzip: false });
    expect(body).toBe(Buffer.concat(plain.chunks).toString());
    plain.release();
  });

  it('answers health always and readiness only once ready', async () => {
    let ready = false;
    const url = await serve(view({ ready: () => ready }));
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${url}/-/ready`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });

  it('shows the status page with counts by status and escapes everything', async () => {
    const url = await serve(view());
    const res = await fetch(`${url}/`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Version 1.2.3');
    expect(html).toMatch(/data-condition="completed"><span class="badge b-completed">completed<\/span> <b class="count">1</);
    expect(html).toMatch(/data-condition="not_polled"><span class="badge b-not_polled">not polled yet<\/span> <b class="count">1</);
    expect(html).not.toContain('<script>');
    expect(html).toContain('href="metrics"');
  });

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    const url = await serve(view());
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('releases every scrape lease exactly once, after the response, whatever the encoding or outcome', async () => {
    const released: string[] = [];
    const base = view();
    // More than loopback socket buffers hold, so a client that stops reading leaves the response unfinished.
    let filler: Buffer | undefined = undefined;
    let n = 0;
    const url = await serve({
      ...base,
      scrape: async (opts) => {
        const lease = await base.scrape(opts);
        const name = `${n++} ${lease.encoding}`;
        return {
          chunks: [...lease.chunks, ...(filler ? [filler] : [])],
          encoding: lease.encoding,
          release: () => {
            released.push(name);
            lease.release();
          },
        };
      },
    });
    const { request } = await import('undici');
    for (const encoding of ['identity', 'gzip']) {
      const res = await request(`${url}/metrics`, { headers: { 'accept-encoding': encoding } });
      await res.body.arrayBuffer();
    }
    await request(`${url}/metrics`, { method: 'HEAD' }).then((r) => r.body.dump());
    await expect.poll(() => released.length).toBe(3);
    // A client that goes away in the middle of a body it has stopped reading.
    filler = Buffer.alloc(64 * 1024 * 1024, 0x23);
    const gone = new AbortController();
    const aborted = await request(`${url}/metrics`, { signal: gone.signal, headers: { 'accept-encoding': 'identity' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toHaveLength(3);
    gone.abort();
    await aborted.body.arrayBuffer().catch(() => undefined);
    await expect.poll(() => released.length).toBe(4);
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toEqual(['0 identity', '1 gzip', '2 identity', '3 identity']);
  });

  it('releases the lease of a scrape whose client left before it was ready', async () => {
    let release = 0;
    let left: () => void = () => undefined;
    const clientGone = new Promise<void>((r) => (left = r));
    const base = view();
    const url = await serve({
      ...base,
      scrape: async (opts) => {
        const lease = await base.scrape(opts);
        await clientGone;
        await new Promise((r) => setTimeout(r, 50));
        return { ...lease, release: () => (release++, lease.release()) };
      },
    });
    const { request } = await import('undici');
    const gone = new AbortController();
    const pending = request(`${url}/metrics`, { signal: gone.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    gone.abort();
    left();
    await pending;
    await expect.poll(() => release).toBe(1);
  });
});
