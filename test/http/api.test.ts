import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noScrape } from '../support/factories.js';
import { createApp } from '../../src/http/app.js';
import { exportKeyId } from '../../src/domain/export.js';
import { ExportStore } from '../../src/store/export-store.js';
import { failure, silentLogger, success, target } from '../support/factories.js';

const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = NOW_MS / 1000;
const ODD = target({ serverId: 'rack 7/slot ü', exportId: '<42>&"', name: '<script>x</script>', labels: { team: '"quoted" & ü' } });
const OK = target({ exportId: '1', name: 'web-01-bmc' });

let server: Server;
let url: string;
beforeAll(async () => {
  const store = new ExportStore();
  store.sync([OK, ODD]);
  store.apply(exportKeyId(OK), success({ percentage: 30, createdAt: NOW - 600 }), NOW - 5);
  store.apply(exportKeyId(ODD), failure('500', 'HTTP 500 <b>'), NOW - 1);
  const view = { version: '1', ready: () => true, now: () => NOW_MS, scrape: noScrape, states: () => store.states() };
  server = createApp({ view, logger: silentLogger }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/exports`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const path = (t: typeof OK) => [t.projectId, t.serverId, t.exportId].map(encodeURIComponent).join('/');

describe('/api/v1/exports', () => {
  it('lists every export trouble first, as JSON on the exporter clock', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { now: string; exports: Array<Record<string, unknown>> };
    expect(body.now).toBe('2026-01-01T12:00:00.000Z');
    expect(body.exports.map((e) => [e.export_id, e.condition])).toEqual([
      ['<42>&"', 'poll_failing'],
      ['1', 'processing'],
    ]);
    expect(body.exports[1]).toMatchObject({ percentage: 30, age_seconds: 600, status: 'processing', poll_success: true, last_error: null });
    // Hostile values come back verbatim: JSON needs no HTML escaping, and nosniff stops a browser from rendering it.
    expect(body.exports[0]).toMatchObject({ name: '<script>x</script>', labels: { team: '"quoted" & ü' }, status: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers one export by its percent-encoded path segments', async () => {
    const res = await fetch(`${url}/${path(ODD)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ server_id: 'rack 7/slot ü', export_id: '<42>&"', errors: { '500': 1 } });
    expect(((await (await fetch(`${url}/${path(OK)}`)).json()) as { name: string }).name).toBe('web-01-bmc');
  });

  it('answers 404 JSON for an unknown export', async () => {
    for (const p of [`${path(OK)}x`, 'a/b/c', '%E0%A4%A/b/c']) {
      const res = await fetch(`${url}/${p}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({ error: 'not found' });
    }
  });
});
