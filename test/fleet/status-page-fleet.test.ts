import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter } from '../../src/runtime/start.js';
import { scriptedFleet, startSimulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { FakeClock, silentLogger, target } from '../support/factories.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const id = (i: number): string => `5e7f0000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;

describe('status page: servers', () => {
  it('shows the fleet summary and every server that is not OK, worst first, with its latest export', async () => {
    const clock = new FakeClock(T0);
    const fleet = scriptedFleet({ projectId: PROJECT, count: 20, phaseMs: 60_000 });
    // A name that must be escaped, on the server that goes Critical.
    const servers = fleet.servers.map((s, i) => (i === 3 ? { ...s, name: '<img src=x onerror=alert(1)>' } : s));
    const sim = stopAfterTest(
      await startSimulator({
        token: TOKEN,
        now: clock.now,
        fleet: { ...fleet, servers },
        exports: [{ projectId: PROJECT, serverId: id(3), exportId: '77', behaviour: { kind: 'progress', startedAt: T0, durationMs: 600_000 } }],
      }),
    );
    const running = stopAfterTest(
      await startExporter({
        config: config(
          [account(sim.url, { servers: { intervalMs: 3_600_000, alarms: true } })],
          [target({ serverId: id(3), exportId: '77', name: 'psu-logs' })],
        ),
        logger: silentLogger,
        listen: { host: '127.0.0.1', port: 0 },
        now: clock.now,
      }),
    );
    await running.exporter.runner.idle();
    await running.exporter.fleet.idle();
    clock.advance(120_000);
    await running.exporter.fleet.runNow();
    const page = await (await fetch(`${running.url}/`)).text();
    expect(page).toContain('<h2>Servers</h2>');
    expect(page).toMatch(/<li data-account="main"><b>main<\/b>: <b class="count">20<\/b> servers/);
    const rows = [...page.matchAll(/<tr data-health="([^"]+)" data-server-id="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    // Critical first (servers 3 and 13), then the one with a health no SDK lists (server 7).
    expect(rows.map((r) => r[0])).toEqual(['Critical', 'Critical', 'other']);
    expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining([id(3), id(13), id(7)]));
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const row3 = page.slice(page.indexOf(`data-health="Critical" data-server-id="${id(3)}"`)).split('</tr>')[0]!;
    expect(row3, row3).toContain('<span class="id">77</span> psu-logs');
    expect(row3).toContain('urgent 1');
    const row13 = page.slice(page.indexOf(`data-health="Critical" data-server-id="${id(13)}"`)).split('</tr>')[0]!;
    expect(row13).toContain('no export tracked');
    expect(page).toContain('Degraded');

    sim.fleet.setFault('servers', { behaviour: { kind: 'error', status: 503 } });
    await running.exporter.fleet.runNow();
    const failing = await (await fetch(`${running.url}/`)).text();
    expect(failing).toMatch(/data-discovery-failing="main"><b>Server discovery failing for account main<\/b> \(1 round\(s\) in a row\): ListServers: HTTP 503/);
    expect(failing).toContain('Showing the last good answer');
  });
});
