import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEMO_PROJECT_ID, demoExports } from '../../src/simulator/index.js';
import { runCli } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

/**
 * The demo as a new user meets it: `npm start`'s binary, then the one Prometheus command it prints, run as printed.
 * Every scripted case must show on the status page and in /metrics within 2 minutes, and fire its alerts within 5.
 */

/** What each case must show: its condition on the status page, the error code it counts in /metrics, its alerts. */
const CASES: Record<string, { condition?: string; code?: string; alerts: string[] }> = {
  completed: { condition: 'completed', alerts: [] },
  slow: { condition: 'processing', alerts: ['CloudDCLogExportTooSlow'] },
  stalled: { condition: 'stuck', alerts: ['CloudDCLogExportStuck'] },
  failed: { condition: 'failed', alerts: ['CloudDCLogExportFailed'] },
  unknown_status: { condition: 'unknown', alerts: ['CloudDCLogExportStatusUnknown'] },
  throttled: { code: '429', alerts: ['CloudDCApiThrottled'] },
  server_error: { condition: 'poll_failing', code: '500', alerts: ['CloudDCLogExportPollFailing'] },
  malformed: { condition: 'poll_failing', code: 'invalid_response', alerts: ['CloudDCLogExportPollFailing'] },
  not_found: { condition: 'poll_failing', code: '404', alerts: ['CloudDCLogExportPollFailing'] },
  aksk_signed: { alerts: [] },
  paused_account: { condition: 'poll_failing', code: '401', alerts: ['CloudDCAccountPaused', 'CloudDCAuthenticationFailing', 'CloudDCLogExportPollFailing'] },
};
/** Alerts about an account carry `account`, not `scenario`. */
const ACCOUNT_ALERTS = new Set(['CloudDCApiThrottled', 'CloudDCAccountPaused', 'CloudDCAuthenticationFailing']);

interface Row {
  readonly labels: Record<string, string>;
  readonly account: string;
  readonly condition: string;
  readonly errors: Record<string, number>;
}
interface Alert {
  readonly labels: Record<string, string>;
  readonly state: string;
}

const hasPrometheus = requireTool('prometheus');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls `check` every 2 s until it returns no missing items; returns how long that took, or throws what is missing. */
async function until(deadline: number, check: () => Promise<string[]>): Promise<void> {
  let missing: string[] = ['not checked yet'];
  while (Date.now() < deadline) {
    missing = await check().catch((err: unknown) => [String(err)]);
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`still missing at the deadline:\n${missing.join('\n')}`);
}

describe.skipIf(!hasPrometheus)('the demo with the Prometheus it prints', () => {
  it('shows every case within 2 minutes and fires each case’s alerts within 5', { timeout: 330_000 }, async () => {
    const cases = demoExports(DEMO_PROJECT_ID, Date.now());
    // The cases and their alerts as the demo declares them (and the README lists them) are the ones checked here.
    expect(Object.fromEntries(cases.map((c) => [c.scenario, [...c.alerts].sort()]))).toEqual(
      Object.fromEntries(Object.entries(CASES).map(([k, v]) => [k, [...v.alerts].sort()])),
    );

    const started = Date.now();
    const demo = runCli(['--demo', '--web.listen-address=127.0.0.1:0']);
    let prometheus: ReturnType<typeof spawn> | undefined;
    let promLog = '';
    try {
      const [, base] = await demo.waitFor(/Status page:\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      const [, command] = await demo.waitFor(/^ {2}(prometheus --config\.file=\S+.*)$/m);
      const promPort = await freePort();
      const [bin, ...args] = command!.trim().split(/\s+/);
      prometheus = spawn(bin!, [...args, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      prometheus.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));

      await until(started + 120_000, async () => {
        const rows = ((await (await fetch(`${base}/api/v1/exports`)).json()) as { exports: Row[] }).exports;
        const metrics = await (await fetch(`${base}/metrics`)).text();
        const missing: string[] = [];
        for (const [scenario, want] of Object.entries(CASES)) {
          const row = rows.find((r) => r.labels['scenario'] === scenario);
          if (row === undefined) missing.push(`${scenario}: not on the status page`);
          else if (want.condition !== undefined && row.condition !== want.condition) missing.push(`${scenario}: ${row.condition}, not ${want.condition}`);
          if (want.code === undefined) continue;
          if (!((row?.errors[want.code] ?? 0) > 0)) missing.push(`${scenario}: no ${want.code} error on the status page`);
          const counted = metrics
            .split('\n')
            .some(
              (l) =>
                l.startsWith('clouddc_log_export_api_errors_total{') &&
                l.includes(`scenario="${scenario}"`) &&
                l.includes(`code="${want.code}"`) &&
                / [1-9]\d*$/.test(l),
            );
          if (!counted) missing.push(`${scenario}: no ${want.code} in /metrics`);
        }
        return missing;
      });
      const shown = Date.now() - started;

      await until(started + 300_000, async () => {
        const res = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
        const firing = new Set(
          res.data.alerts
            .filter((a) => a.state === 'firing')
            .map((a) => `${a.labels['alertname']} ${a.labels['scenario'] ?? `account=${a.labels['account']}`}`),
        );
        const rows = ((await (await fetch(`${base}/api/v1/exports`)).json()) as { exports: Row[] }).exports;
        const accountOf = (scenario: string) => rows.find((r) => r.labels['scenario'] === scenario)?.account;
        return Object.entries(CASES).flatMap(([scenario, want]) =>
          want.alerts.map((a) => `${a} ${ACCOUNT_ALERTS.has(a) ? `account=${accountOf(scenario)}` : scenario}`).filter((key) => !firing.has(key)),
        );
      });
      const fired = Date.now() - started;
      console.log(`demo: every case shown after ${Math.round(shown / 1000)} s, every alert firing after ${Math.round(fired / 1000)} s`);

      // The healthy cases fire nothing, and the demo itself runs within its schedule.
      const res = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
      const healthy = ['completed', 'aksk_signed', 'started_by_demo'];
      expect(res.data.alerts.filter((a) => healthy.includes(a.labels['scenario'] ?? '')).map((a) => a.labels['alertname'])).toEqual([]);
      expect(res.data.alerts.filter((a) => a.labels['alertname'] === 'CloudDCExporterPollCyclesSkipped')).toEqual([]);
      expect(demo.stdout() + demo.stderr()).not.toContain('overran');
    } catch (err) {
      throw new Error(`${String(err)}\nPrometheus log (tail):\n${promLog}`);
    } finally {
      prometheus?.kill('SIGTERM');
      if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus!.once('exit', r));
      demo.child.kill('SIGTERM');
      await demo.exited;
    }
  });
});
