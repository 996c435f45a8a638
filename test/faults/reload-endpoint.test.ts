import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/runtime/start.js';
import { launchChromium, requireChromium } from '../browser/chromium.js';
import { startFromConfigFile } from '../support/from-file.js';
import { silentLogger } from '../support/factories.js';
import { yamlConfig } from '../support/yaml-config.js';
import { tempDir } from '../web/tls-fixtures.js';

/**
 * POST /-/reload against callers it must not serve: no --web.enable-lifecycle, a page on another site (a real
 * Chromium submitting forms and a no-cors fetch), form content types, case and trailing-slash variants of
 * paths, and a caller on another machine asking for a broken config's problems.
 */

const browserOk = requireChromium();
let browser: Browser | undefined;
let attacker: Server | undefined;
let page = '';

beforeAll(async () => {
  attacker = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page));
  await new Promise<void>((r) => attacker!.listen(0, '127.0.0.1', r));
  if (browserOk) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  attacker?.close();
});

/** An address of this machine that is not loopback: what a caller on another machine looks like. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('no non-loopback IPv4 address on this machine');
}

async function start(enableLifecycle: boolean): Promise<{ running: Running; file: string; base: string }> {
  const file = join(tempDir('cde-reload-'), 'config.yaml');
  writeFileSync(file, yamlConfig('http://127.0.0.1:9', [{ server: 'a', id: '1' }]));
  const running = await startFromConfigFile(file, { logger: silentLogger, listen: { host: '0.0.0.0', port: 0 }, defaultMetrics: false, enableLifecycle });
  return { running, file, base: `http://127.0.0.1:${new URL(running.url).port}` };
}

const reloadState = async (base: string) => /clouddc_exporter_config_last_reload_successful (\d)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1];

describe('POST /-/reload', () => {
  it('is off without --web.enable-lifecycle; SIGHUP-style reloads still work', async () => {
    const { running, base } = await start(false);
    const res = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('--web.enable-lifecycle');
    expect((await running.reloader!.reload('SIGHUP')).ok).toBe(true);
  });

  it('refuses other origins, Sec-Fetch-Site cross-site and same-site, and form content types; a bare POST works', async () => {
    const { base } = await start(true);
    const post = (headers: Record<string, string>, body?: string) => fetch(`${base}/-/reload`, { method: 'POST', headers, body });
    expect((await post({ Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ Origin: 'null' })).status).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
      expect((await post({ 'Content-Type': type }, 'a=b')).status, type).toBe(415);
    }
    expect((await post({})).status).toBe(200);
    expect((await post({ Origin: base, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect((await post({ 'Content-Type': 'application/json' }, '{}')).status).toBe(200);
  });

  it('serves exact paths only: no case or trailing-slash variants', async () => {
    const { base } = await start(true);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    for (const path of ['/METRICS', '/metrics/', '/Metrics', '/-/HEALTHY', '/-/healthy/', '/api/v1/exports/']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/-/reload/`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/-/RELOAD`, { method: 'POST' })).status).toBe(404);
  });

  it("shows a failed reload's problems to a caller on this machine only", async () => {
    const { file, base, running } = await start(true);
    writeFileSync(file, 'accounts: {main: {project_id: true}}\n');
    const local = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(local.status).toBe(500);
    expect(await local.text()).toContain('accounts.main.project_id: expected a string');
    const remote = await fetch(`http://${lanAddress()}:${new URL(running.url).port}/-/reload`, { method: 'POST' });
    expect(remote.status).toBe(500);
    const text = await remote.text();
    expect(text).toContain("The problems are in the exporter's log");
    expect(text).not.toContain('accounts');
  });

  it.skipIf(!browserOk)(
    'a page on another site cannot reload through a real Chromium: forms and a no-cors fetch',
    async () => {
      const { file, base } = await start(true);
      // A reload that ran would be seen: this config fails.
      writeFileSync(file, 'accounts: {main: {project_id: true}}\n');
      const target = `${base}/-/reload`;
      const attackerUrl = `http://127.0.0.1:${(attacker!.address() as AddressInfo).port}/`;
      const tab = await browser!.newPage();
      try {
        for (const enctype of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data']) {
          page = `<form method="POST" action="${target}" enctype="${enctype}"><input name="a" value="b"></form><script>document.forms[0].submit()</script>`;
          const answer = tab.waitForResponse(target);
          await tab.goto(attackerUrl);
          const res = await answer;
          expect(res.status(), enctype).toBeGreaterThanOrEqual(403);
          expect(await res.text()).toMatch(/^Refused: /);
        }
        page = `<script>fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors'}).then(() => document.title = 'sent')</script>`;
        await tab.goto(attackerUrl);
        await tab.waitForFunction('document.title === "sent"');
      } finally {
        await tab.close();
      }
      expect(await reloadState(base)).toBe('1');
    },
    30_000,
  );
});
