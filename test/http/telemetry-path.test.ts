import { afterEach, describe, expect, it } from 'vitest';
import { EXPOSITION_CONTENT_TYPE } from '../../src/http/metrics.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { account, config } from '../support/config.js';
import { silentLogger, success } from '../support/factories.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop(100);
  running = undefined;
});

async function start(metricsPath?: string): Promise<string> {
  running = await startExporter({
    config: config([account('http://127.0.0.1:9')], [{ projectId: 'p', serverId: 'srv-1', exportId: '1', account: 'main', name: 'nightly', labels: {} }]),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: false,
    makeSource: () => ({ fetchStatus: async () => success({ status: 'processing', percentage: 40 }), close: async () => undefined }),
    ...(metricsPath !== undefined && { metricsPath }),
  });
  await running.exporter.runner.idle();
  return running.url;
}

/** The status page's Metrics link, resolved against the page's own URL as a browser does. */
async function metricsLink(pageUrl: string): Promise<string> {
  const page = await (await fetch(pageUrl)).text();
  const href = /<a href="([^"]*)">Metrics<\/a>/.exec(page)?.[1];
  expect(href, page).toBeDefined();
  return new URL(href!, pageUrl).href;
}

describe('--web.telemetry-path', () => {
  it('serves the exposition at /metrics by default, and the status page links to it', async () => {
    const url = await start();
    expect(await metricsLink(`${url}/`)).toBe(`${url}/metrics`);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('moves the exposition to the given path; /metrics is then 404, and the page links to the new path', async () => {
    const url = await start('/prom/metrics');
    const res = await fetch(`${url}/prom/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
    expect(await res.text()).toMatch(/^clouddc_log_export_percentage\{[^}]*server_id="srv-1"[^}]*\} 40$/m);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect(await metricsLink(`${url}/`)).toBe(`${url}/prom/metrics`);
    // The other endpoints stay where they were.
    for (const path of ['/-/healthy', '/-/ready', '/api/v1/exports']) expect((await fetch(`${url}${path}`)).status).toBe(200);
  });

  it('with "/", serves the exposition at / instead of the status page, as exporter-toolkit does', async () => {
    const url = await start('/');
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
    expect(await res.text()).toContain('# TYPE clouddc_log_export_status gauge');
  });
});
