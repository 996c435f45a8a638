import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { noScrape } from '../support/factories.js';
import { createApp } from '../../src/http/app.js';
import { REFRESH_SECONDS } from '../../src/http/status-page.js';
import type { ExporterView } from '../../src/http/view.js';
import { exportKeyId } from '../../src/domain/export.js';
import { ExportStore } from '../../src/store/export-store.js';
import { failure, silentLogger, success, target } from '../support/factories.js';

const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = NOW_MS / 1000;

/** Every field an attacker-controlled config or API answer could fill, filled with markup. */
const HOSTILE = target({
  projectId: 'p&"<q>',
  serverId: '<svg onload=alert(1)>',
  exportId: `x'y"z`,
  account: '<b>acct</b>',
  name: '<script>alert("name")</script> & ünïcødé 🚀',
  labels: { team: '"><img src=x onerror=alert(1)>', env: "it's & <i>prod</i>" },
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function hostileView(): ExporterView {
  const store = new ExportStore();
  const plain = target({ exportId: '7', name: 'web-01-bmc' });
  store.sync([plain, HOSTILE]);
  store.apply(exportKeyId(plain), success({ percentage: 30, createdAt: NOW - 600 }), NOW - 5);
  store.apply(exportKeyId(HOSTILE), success({ status: 'unknown', rawStatus: '<i>Queued</i>', percentage: 0, createdAt: NOW - 60 }), NOW - 30);
  store.apply(exportKeyId(HOSTILE), { ...failure('500', 'upstream said <b>boom</b> & "quit"'), errorCode: '<em>E1</em>' }, NOW - 2);
  return { version: '1.2.3<br>', ready: () => true, now: () => NOW_MS, scrape: noScrape, states: () => store.states() };
}

async function page(view: ExporterView): Promise<{ res: Response; html: string }> {
  server = createApp({ view, logger: silentLogger }).listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { res, html: await res.text() };
}

describe('status page', () => {
  it('escapes every value: no markup from names, labels, ids, statuses or errors survives', async () => {
    const { res, html } = await page(hostileView());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const bad of ['<script', '<svg', '<img', '<b>acct', '<i>', '<em>', '<b>boom', '<br>', 'x\'y"z']) {
      expect(html).not.toContain(bad);
    }
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; ünïcødé 🚀');
    expect(html).toContain('team=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data-export-id="x&#39;y&quot;z"');
    expect(html).toContain('upstream said &lt;b&gt;boom&lt;/b&gt; &amp; &quot;quit&quot;');
    expect(html).toContain('API: &lt;i&gt;Queued&lt;/i&gt;');
    // Only the page's own elements exist: nothing a value could have injected.
    const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = [
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'h1',
      'p',
      'ul',
      'li',
      'span',
      'b',
      'time',
      'div',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'progress',
      'a',
    ];
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
  });

  it('shows rows trouble first with summary counts, progress and times on the injected clock', async () => {
    const { html } = await page(hostileView());
    const conditions = [...html.matchAll(/<tr data-condition="([a-z_]+)"/g)].map((m) => m[1]);
    expect(conditions).toEqual(['poll_failing', 'processing']);
    expect(html).toMatch(/data-condition="poll_failing"><span class="badge b-poll_failing">poll failing<\/span> <b class="count">1<\/b>/);
    expect(html).toMatch(/data-condition="failed"><span class="badge b-failed">failed<\/span> <b class="count">0<\/b>/);
    expect(html).toContain('<progress max="100" value="30">30%</progress>');
    expect(html).toContain('>10m 00s</span>'); // age of web-01-bmc: created 600 s before NOW
    expect(html).toContain('>5s ago</time>'); // its last success
    expect(html).toContain('as of <time datetime="2026-01-01T12:00:00Z">');
  });

  it('shows each warning as an escaped banner above the summary, and no banner without one', async () => {
    const view = { ...hostileView(), warnings: () => ['account "<b>x</b>": 10000 exports at rate_limit 10 requests/s need at least 1000 s'] };
    const { html } = await page(view);
    expect(html).toContain(
      '<p class="banner" role="alert"><b>Poll schedule cannot be met.</b> account &quot;&lt;b&gt;x&lt;/b&gt;&quot;: 10000 exports at rate_limit 10 requests/s need at least 1000 s</p>\n<ul class="summary">',
    );
    server?.close();
    server = undefined;
    expect((await page(hostileView())).html).not.toContain('class="banner"');
  });

  it('keeps the links, the version and the refresh, and is made for phones', async () => {
    const { html } = await page(hostileView());
    expect(html).toContain('Version 1.2.3&lt;br&gt;');
    for (const href of ['metrics', '-/healthy', '-/ready', 'api/v1/exports']) expect(html).toContain(`href="${href}"`);
    expect(html).toContain(`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<div class="scroll"><table>');
  });

  it('shows retired exports last with their reason, and says so when nothing is tracked', async () => {
    const store = new ExportStore();
    const done = target({ exportId: '1', name: 'done' });
    const live = target({ exportId: '2', name: 'live' });
    store.sync([done, live]);
    store.apply(exportKeyId(done), success({ status: 'completed', rawStatus: 'completed', percentage: 100 }), NOW - 90_000);
    store.apply(exportKeyId(live), success(), NOW - 1);
    store.retireDue(NOW, { completedMs: 3_600_000, notFoundMs: 3_600_000, failedMs: 3_600_000 });
    const { html } = await page({ version: '1', ready: () => true, now: () => NOW_MS, scrape: noScrape, states: () => store.states() });
    expect([...html.matchAll(/<tr data-condition="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['processing', 'retired']);
    expect(html).toContain('<span class="badge b-retired">retired</span><div class="muted">completed, <time');
    server?.close();
    const empty = await page({ version: '1', ready: () => false, scrape: noScrape, states: () => [] });
    expect(empty.html).toContain('No exports are tracked.');
    expect(empty.html).toContain('starting: first poll cycle running');
  });
});
