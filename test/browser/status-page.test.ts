import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportTarget } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { Secret } from '../../src/domain/secret.js';
import { createGatewayAuth, startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';
import { launchChromium, requireChromium } from './chromium.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const ARTIFACT = fileURLToPath(new URL('./artifacts/status-page.png', import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL('../../docs/status-page.png', import.meta.url));

/**
 * One export per condition, listed in the order the page must show them (trouble first), with the
 * percentage the page must show after the second poll at T0 + 31 min (null: no progress bar).
 */
/** A very long error answer: many words and one long unbroken token, as a misbehaving gateway may send. */
const LONG_ERROR = `backend unavailable: ${'the upstream iMetal service did not answer in time '.repeat(12)}${'x'.repeat(300)}`;

const SCRIPT: Array<{ name: string; condition: string; percentage: number | null; behaviour: Behaviour; account?: string }> = [
  {
    name: 'storage-03-bmc',
    condition: 'failed',
    percentage: 60,
    behaviour: { kind: 'progress', startedAt: T0 - 90_000, durationMs: 100_000, failAtPercent: 60 },
  },
  {
    name: 'batch-04-bmc',
    condition: 'poll_failing',
    percentage: null,
    behaviour: { kind: 'error', status: 500, body: { error_code: 'iMetal.0099', error_msg: LONG_ERROR } },
  },
  // An AK/SK account whose secret key the gateway refuses: the account pauses.
  { name: 'vpn-03-bmc', condition: 'poll_failing', percentage: null, behaviour: { kind: 'progress', durationMs: 100_000 }, account: 'keys' },
  {
    name: 'gpu-07-bmc',
    condition: 'stuck',
    percentage: 45,
    behaviour: { kind: 'progress', startedAt: T0 - 60_000, durationMs: 100_000, stallAtPercent: 45, percentShape: 'string' },
  },
  {
    name: 'edge-12-bmc',
    condition: 'unknown',
    percentage: 0,
    behaviour: { kind: 'fixed', body: { export_id: '1004', status: 'Queued', percentage: '0%', created_at: '2026-01-01T11:50:00Z' } },
  },
  // 41 of 240 minutes done at the second poll: 17.08 %, which the simulator floors to 17.
  { name: 'db-01-bmc', condition: 'processing', percentage: 17, behaviour: { kind: 'progress', startedAt: T0 - 10 * MINUTE, durationMs: 240 * MINUTE } },
  {
    name: 'web-01-bmc',
    condition: 'completed',
    percentage: 100,
    behaviour: {
      kind: 'progress',
      startedAt: T0 - 200_000,
      durationMs: 100_000,
      spelling: { processing: 'Running', completed: 'COMPLETED' },
      percentShape: 'percent',
    },
  },
  // 404 for longer than retention.not_found (10 min here): retired, shown last.
  { name: 'legacy-09-bmc', condition: 'retired', percentage: null, behaviour: { kind: 'error', status: 404 } },
];

const uuid = (i: number) => `5a2f7e90-3c1d-4e8b-a6f4-0d9b2c7e1f${String(i).padStart(2, '0')}`;
const browserOk = requireChromium();
let sim: Simulator | undefined;
let running: Running | undefined;
let browser: Browser | undefined;

interface Row {
  condition: string | null;
  name: string;
  exportId: string | null;
  progress: number | null;
}

function readRows(page: Page): Promise<Row[]> {
  return page.$$eval('tbody tr[data-condition]', (trs) =>
    trs.map((tr) => ({
      condition: tr.getAttribute('data-condition'),
      name: tr.querySelector('.name')?.textContent ?? '',
      exportId: tr.getAttribute('data-export-id'),
      progress: (tr.querySelector('progress') as unknown as { value: number } | null)?.value ?? null,
    })),
  );
}

/** Serves the page without its refresh tag, so a reload cannot land in the middle of an assertion on a slow machine. */
async function openWithoutRefresh(page: Page, url: string): Promise<void> {
  await page.route(`${url}/`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: (await res.text()).replace(/<meta http-equiv="refresh"[^>]*>/, '') });
  });
  await page.goto(`${url}/`);
}

describe.skipIf(!browserOk)('status page in headless Chromium', () => {
  beforeAll(async () => {
    const clock = new FakeClock(T0);
    const targets: ExportTarget[] = SCRIPT.map((s, i) =>
      // Real server ids are UUIDs, and labels as long as the demo's: the widths the page must fit.
      target({ serverId: uuid(i), exportId: String(1001 + i), name: s.name, labels: { scenario: `unknown_status_${i + 1}` }, account: s.account ?? 'main' }),
    );
    sim = await startSimulator({
      authenticate: createGatewayAuth({ tokens: [TOKEN], credentials: [{ accessKey: 'AKKEYS', secretKey: 'the-right-one' }] }).authenticate,
      now: clock.now,
      exports: SCRIPT.map((s, i) => ({ projectId: PROJECT, serverId: targets[i]!.serverId, exportId: targets[i]!.exportId, behaviour: s.behaviour })),
    });
    const keys = account(sim.url, {
      name: 'keys',
      auth: { kind: 'aksk', source: 'config: access_key, secret_key', accessKey: 'AKKEYS', secretKey: { kind: 'inline', value: new Secret('a-rotated-one') } },
    });
    const base = config([account(sim.url), keys], targets);
    running = await startExporter({
      config: { ...base, retention: { ...base.retention, notFoundMs: 10 * MINUTE } },
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      now: clock.now,
      durationClock: () => 0,
      defaultMetrics: false,
    });
    await running.exporter.runner.idle();
    // Second poll 31 minutes later: long enough for "stuck" (30 min) and for the 404 export to retire.
    clock.advance(31 * MINUTE);
    await running.exporter.pollOnce();
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop(100);
    await sim?.close();
  });

  it('shows every export trouble first with its progress, and saves a screenshot', async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 600 }, colorScheme: 'light' });
    const page = await context.newPage();
    await openWithoutRefresh(page, running!.url);
    expect(await readRows(page)).toEqual(SCRIPT.map((s, i) => ({ condition: s.condition, name: s.name, exportId: String(1001 + i), progress: s.percentage })));
    const counts = await page.$$eval('.summary li', (lis) => lis.map((li) => [li.getAttribute('data-condition'), li.querySelector('.count')?.textContent]));
    expect(Object.fromEntries(counts)).toEqual({
      failed: '1',
      poll_failing: '2',
      not_polled: '0',
      stuck: '1',
      unknown: '1',
      processing: '1',
      completed: '1',
      retired: '1',
    });
    expect(await page.textContent('tr[data-condition="stuck"]')).toContain('31m 00s ago'); // last progress at T0
    expect(await page.textContent('tr[data-condition="poll_failing"] td.err')).toContain('500');
    // The whole of a long error on hover; the cell shows a few lines of it.
    const api = (await (await fetch(`${running!.url}/api/v1/exports/${PROJECT}/${uuid(1)}/1002`)).json()) as {
      last_error: { reason: string; error_code: string; message: string };
    };
    const { reason, error_code, message } = api.last_error;
    expect(message).toContain('backend unavailable');
    expect(await page.getAttribute('tr[data-export-id="1002"] td.err', 'title')).toBe(`${reason} ${error_code} ${message}`);
    // One line per account: exports, failing, paused and why.
    const accounts = await page.$$eval('.accounts li', (lis) =>
      lis.map((li) => ({ account: li.getAttribute('data-account'), paused: li.getAttribute('data-paused'), text: li.textContent })),
    );
    expect(accounts.map((a) => [a.account, a.paused])).toEqual([
      ['main', '0'],
      ['keys', '1'],
    ]);
    expect(accounts[0]!.text).toBe('main: 7 exports · 2 failing · not paused · signs in with test');
    expect(accounts[1]!.text).toMatch(
      /^keys: 1 export · 1 failing · paused for \d+m \d\ds more \(until 2026-01-01T12:\d\d:\d\d\.\d{3}Z\): CloudDC refused the AK\/SK signature \(HTTP 401 APIGW\.0301/,
    );
    // Where each account's credentials come from, never a secret.
    expect(accounts[1]!.text).toMatch(/ · signs in with config: access_key, secret_key$/);
    expect(accounts[1]!.text).not.toContain('a-rotated-one');
    mkdirSync(dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    // The copy in docs/ (shown by docs/http-api.md) changes only on request, so a run on another machine's fonts leaves no diff.
    if (process.env.UPDATE_GOLDEN === '1') copyFileSync(ARTIFACT, DOCS_SHOT);
    await context.close();
  }, 30_000);

  it('fits 1400 px without sideways scrolling, a very long error included', async () => {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    await openWithoutRefresh(page, running!.url);
    const m = await page.evaluate(() => {
      type El = { scrollWidth: number; clientWidth: number; getBoundingClientRect(): { height: number } };
      const d = (globalThis as unknown as { document: { documentElement: El; querySelector(s: string): El } }).document;
      const box = d.querySelector('.scroll');
      return {
        page: [d.documentElement.scrollWidth, d.documentElement.clientWidth],
        table: [box.scrollWidth, box.clientWidth],
        errorHeight: d.querySelector('tr[data-export-id="1002"] td.err').getBoundingClientRect().height,
      };
    });
    expect(m.page[0]).toBeLessThanOrEqual(m.page[1]!);
    expect(m.table[0], 'the table needs no scrolling of its own either').toBeLessThanOrEqual(m.table[1]!);
    // Clamped: a few lines, not the whole answer.
    expect(m.errorHeight).toBeLessThan(120);
    await page.screenshot({ path: ARTIFACT.replace(/\.png$/, '-1400.png'), fullPage: true });
    await context.close();
  }, 30_000);

  it('reloads itself', async () => {
    const page = await browser!.newPage();
    await page.goto(`${running!.url}/`);
    expect(await page.getAttribute('meta[http-equiv="refresh"]', 'content')).toBe('5');
    // The refresh is a real navigation to the same page, not just a tag that is present.
    const reloaded = page.waitForEvent('load', { timeout: 10_000 });
    expect(await reloaded).toBe(page);
    expect(await page.title()).toBe('CloudDC log exports');
    await page.close();
  }, 30_000);

  it('fits a phone: the body never scrolls sideways, the table scrolls inside its box', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'light' });
    const page = await context.newPage();
    await openWithoutRefresh(page, running!.url);
    const m = await page.evaluate(() => {
      // Runs in the page; tsconfig has no DOM lib (this is a Node project), so the few globals are typed here.
      type El = { scrollWidth: number; clientWidth: number };
      const w = globalThis as unknown as {
        document: { documentElement: El; querySelector(s: string): El };
        innerWidth: number;
        getComputedStyle(e: El): { overflowX: string };
      };
      const box = w.document.querySelector('.scroll');
      return {
        docWidth: w.document.documentElement.scrollWidth,
        viewport: w.innerWidth,
        boxClient: box.clientWidth,
        boxScroll: box.scrollWidth,
        overflowX: w.getComputedStyle(box).overflowX,
      };
    });
    expect(m.viewport).toBe(390);
    expect(m.docWidth).toBeLessThanOrEqual(m.viewport);
    expect(m.boxClient).toBeLessThanOrEqual(m.viewport);
    expect(m.overflowX).toBe('auto');
    expect(m.boxScroll).toBeGreaterThan(m.boxClient); // ten columns do not fit 390 px: the box, not the page, scrolls
    await page.screenshot({ path: ARTIFACT.replace(/\.png$/, '-phone.png') });
    await context.close();
  }, 30_000);
});
