import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startFromConfigFile } from '../support/from-file.js';
import type { Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PROJECT, TOKEN } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { configMapDir, yamlConfig } from '../support/yaml-config.js';

let sim: Simulator | undefined;
let running: Running | undefined;

const progress = { kind: 'progress', durationMs: 1_000_000 } as const;

async function start(path: string): Promise<Running> {
  const started = await startFromConfigFile(path, {
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: false,
    enableLifecycle: true,
  });
  running = started;
  await started.exporter.runner.idle();
  return started;
}

async function scrape(): Promise<string> {
  return (await fetch(`${running!.url}/metrics`)).text();
}

async function settle(): Promise<void> {
  // Added exports are polled in the background right after a reload; wait for them by polling the store.
  for (let i = 0; i < 200 && [...running!.exporter.store.states()].some((s) => s.lastPollAt === undefined); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('configuration reload', () => {
  it('follows edits: added exports are polled at once, removed ones lose every series, kept ones keep counters', async () => {
    sim = stopAfterTest(
      await startSimulator({
        token: TOKEN,
        exports: ['a', 'b', 'c'].map((s) => ({
          projectId: PROJECT,
          serverId: s,
          exportId: '1',
          behaviour: s === 'a' ? { kind: 'error', status: 500 } : progress,
        })),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(
      path,
      yamlConfig(sim.url, [
        { server: 'a', id: '1' },
        { server: 'b', id: '1' },
      ]),
    );
    await start(path);
    expect(await scrape()).toMatch(/server_id="a",export_id="1",code="500"\} 1/);

    writeFileSync(
      path,
      yamlConfig(sim.url, [
        { server: 'a', id: '1', name: 'renamed' },
        { server: 'c', id: '1' },
      ]),
    );
    await running!.reloader!.checkForChange();
    await settle();
    const text = await scrape();
    expect(text).not.toContain('server_id="b"');
    expect(text).toMatch(/clouddc_log_export_status\{[^}]*server_id="c"[^}]*status="processing"\} 1/);
    expect(text).toMatch(/server_id="a",export_id="1",name="renamed"/);
    expect(text).toMatch(/server_id="a",export_id="1",code="500"\} 1/);
    expect(text).toContain('clouddc_exporter_config_last_reload_successful 1');
    expect(text).toContain('clouddc_exporter_tracked_exports 2');
  });

  it('exposes the schedule interval and follows a changed poll.schedule', async () => {
    sim = stopAfterTest(await startSimulator({ token: TOKEN, exports: [{ projectId: PROJECT, serverId: 'a', exportId: '1', behaviour: progress }] }));
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]).replace('"0 0 1 1 *"', '"*/2 * * * *"'));
    await start(path);
    expect(await scrape()).toMatch(/^clouddc_exporter_poll_interval_seconds 120$/m);
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]).replace('"0 0 1 1 *"', '"*/5 * * * * *"'));
    await running!.reloader!.checkForChange();
    expect(await scrape()).toMatch(/^clouddc_exporter_poll_interval_seconds 5$/m);
  });

  it('follows a ConfigMap-style symlink swap', async () => {
    sim = stopAfterTest(
      await startSimulator({ token: TOKEN, exports: ['a', 'b'].map((s) => ({ projectId: PROJECT, serverId: s, exportId: '1', behaviour: progress })) }),
    );
    const cm = configMapDir(yamlConfig(sim.url, [{ server: 'a', id: '1' }]));
    await start(cm.path);
    cm.swap(yamlConfig(sim.url, [{ server: 'b', id: '1' }]));
    await running!.reloader!.checkForChange();
    await settle();
    const text = await scrape();
    expect(text).not.toContain('server_id="a"');
    expect(text).toMatch(/clouddc_log_export_percentage\{[^}]*server_id="b"/);
  });

  it('refuses a broken edit as a whole and keeps polling with the old config', async () => {
    sim = stopAfterTest(await startSimulator({ token: TOKEN, exports: [{ projectId: PROJECT, serverId: 'a', exportId: '1', behaviour: progress }] }));
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]));
    await start(path);
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'b', id: '1' }]).replace('retries: 0', 'retries: many'));
    const res = await fetch(`${running!.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('poll.retries: expected an integer');
    sim.clearRequests();
    await running!.exporter.pollOnce();
    expect(sim.requests.map((r) => r.path)).toEqual([`/v1/${PROJECT}/physicalservers/a/logs/exports/1`]);
    const text = await scrape();
    expect(text).toContain('clouddc_exporter_config_last_reload_successful 0');
    expect(text).toMatch(/server_id="a"/);
    // The same broken file is not retried on every check; a fixed one is.
    await running!.reloader!.checkForChange();
    expect(await scrape()).toContain('clouddc_exporter_config_last_reload_successful 0');
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]));
    await running!.reloader!.checkForChange();
    expect(await scrape()).toContain('clouddc_exporter_config_last_reload_successful 1');
  });

  it("applies new credentials without dropping the state of the account's exports", async () => {
    sim = stopAfterTest(await startSimulator({ token: 'old-token', exports: [{ projectId: PROJECT, serverId: 'a', exportId: '1', behaviour: progress }] }));
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }], { token: 'old-token' }));
    await start(path);
    sim.setToken('new-token');
    await running!.exporter.pollOnce();
    expect(await scrape()).toMatch(/code="401"\} 1/);
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }], { token: 'new-token' }));
    const res = await fetch(`${running!.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    await running!.exporter.pollOnce();
    const text = await scrape();
    expect(text).toMatch(/clouddc_log_export_poll_success\{[^}]*server_id="a"[^}]*\} 1/);
    expect(text).toMatch(/code="401"\} 1/);
    expect(sim.requests.at(-1)?.headers['x-auth-token']).toBe('new-token');
  });

  it('drops the series of an account that a reload removed', async () => {
    sim = stopAfterTest(await startSimulator({ token: TOKEN, exports: [{ projectId: PROJECT, serverId: 'a', exportId: '1', behaviour: progress }] }));
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]));
    await start(path);
    expect(await scrape()).toMatch(/clouddc_api_requests_total\{account="main",code="200"\} 1/);
    writeFileSync(path, yamlConfig(sim.url, [{ server: 'a', id: '1' }]).replace(/accounts:\n {2}main:/, 'accounts:\n  other:'));
    expect((await fetch(`${running!.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    let text = await scrape();
    // The old account's series go once its in-flight polls are done, in the background.
    for (let i = 0; i < 100 && /account="main"/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 10));
      text = await scrape();
    }
    expect(text).not.toMatch(/account="main"/);
    expect(text).toMatch(/clouddc_api_rate_limit\{account="other"\}/);
  });
});
