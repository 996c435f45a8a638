import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { ExporterView } from '../../src/http/view.js';
import { ExportStore } from '../../src/store/export-store.js';
import { exportKeyId } from '../../src/domain/export.js';
import { silentLogger, success, target } from '../support/factories.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(view: ExporterView): Promise<string> {
  server = createApp({ view, logger: silentLogger }).listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function view(overrides: Partial<ExporterView> = {}): ExporterView {
  const store = new ExportStore();
  const hostile = target({ exportId: '9', name: '<script>alert(1)</script>' });
  store.sync([target(), hostile]);
  store.apply(exportKeyId(target()), success({ status: 'completed', percentage: 100 }), 1);
  return {
    version: '1.2.3',
    ready: () => true,
    metricsChunks: async () => store.renderChunks(2),
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
    expect(body).toBe(Buffer.concat(await view().metricsChunks()).toString());
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

  it('hands the chunks of every scrape back exactly once, after the response, whatever the encoding or outcome', async () => {
    const released: Buffer[][] = [];
    const served: Buffer[][] = [];
    const base = view();
    // More than loopback socket buffers hold, so a client that stops reading leaves the response unfinished.
    let filler: Buffer | undefined;
    const url = await serve({
      ...base,
      metricsChunks: async () => {
        const chunks = [...(await base.metricsChunks()), ...(filler ? [filler] : [])];
        served.push(chunks);
        return chunks;
      },
      releaseChunks: (chunks) => released.push([...chunks]),
    });
    const { request } = await import('undici');
    for (const encoding of ['identity', 'gzip']) {
      const res = await request(`${url}/metrics`, { headers: { 'accept-encoding': encoding } });
      await res.body.arrayBuffer();
    }
    await request(`${url}/metrics`, { method: 'HEAD' }).then((r) => r.body.dump());
    // A client that goes away in the middle of a body it has stopped reading.
    filler = Buffer.alloc(64 * 1024 * 1024, 0x23);
    const gone = new AbortController();
    const aborted = await request(`${url}/metrics`, { signal: gone.signal, headers: { 'accept-encoding': 'identity' } });
    expect(released).toHaveLength(3);
    gone.abort();
    await aborted.body.arrayBuffer().catch(() => undefined);
    await expect.poll(() => released.length).toBe(4);
    // The very Buffers that were served, each scrape's once.
    expect(released.map((chunks, i) => chunks.every((c, j) => c === served[i]![j]) && chunks.length === served[i]!.length)).toEqual([true, true, true, true]);
  });
});
