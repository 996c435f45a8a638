import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportKey } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';
import { startAlertmanager, startPrometheus, type Daemon, type Prometheus } from '../support/prometheus.js';
import { requireTool } from '../support/tools.js';
import { alertRules, loadRules, shortenRules } from './rules.js';

/**
 * The shipped alerts.yml, end to end: simulator → exporter → Prometheus (rules) → Alertmanager → webhook.
 * The rules are a copy in which ONLY timing values are changed, so that the test takes seconds, not hours:
 * every `for:` becomes 1s, every range selector becomes [5s], and the stuck threshold 1800 s becomes 3 s.
 * Expressions, label matchers, joins, labels and annotations are exactly those shipped.
 */
const SHORTEN = {
  forValue: '1s',
  range: '5s',
  thresholds: { CloudDCLogExportStuck: [['> 1800', '> 3']] as Array<[string, string]> },
};

const hasPrometheus = requireTool('prometheus');
const hasAlertmanager = requireTool('prometheus-alertmanager');

interface Notification {
  status: 'firing' | 'resolved';
  alerts: Array<{ status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string> }>;
}

const STUCK: ExportKey = { projectId: PROJECT, serverId: 'srv-stuck', exportId: '501' };
const UNAUTHORIZED: ExportKey = { projectId: PROJECT, serverId: 'srv-unauthorized', exportId: '502' };

describe.skipIf(!hasPrometheus || !hasAlertmanager)('alerts.yml end to end, through Alertmanager', () => {
  const received: Notification[] = [];
  const waiters = new Set<() => void>();
  let webhook: Server | undefined;
  let simMain: Simulator | undefined;
  let simBroken: Simulator | undefined;
  let running: Running | undefined;
  let alertmanager: Daemon | undefined;
  let prometheus: Prometheus | undefined;
  let rulesDir: string | undefined;

  /** Resolves with the first alert of that name, matching labels and status, the webhook received. */
  function notified(alertname: string, labels: Record<string, string>, status: 'firing' | 'resolved', ms: number) {
    type Alert = Notification['alerts'][number];
    return new Promise<Alert>((resolve, reject) => {
      const find = (): Alert | undefined =>
        received
          .flatMap((n) => n.alerts)
          .find((a) => a.status === status && a.labels.alertname === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
      const check = () => {
        const hit = find();
        if (hit === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = received.flatMap((n) => n.alerts.map((a) => `${a.status} ${a.labels.alertname} ${JSON.stringify(a.labels)}`));
        reject(
          new Error(
            `no ${status} ${alertname} ${JSON.stringify(labels)} within ${ms} ms; the webhook got:\n${seen.join('\n')}\n` +
              `prometheus log:\n${prometheus?.logs() ?? ''}\nalertmanager log:\n${alertmanager?.logs() ?? ''}`,
          ),
        );
      }, ms);
      waiters.add(check);
      check();
    });
  }

  beforeAll(async () => {
    // A webhook receiver that records every notification.
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          received.push(JSON.parse(body) as Notification);
        } catch {
          // not a notification; ignore
        }
        res.writeHead(200).end();
        for (const w of [...waiters]) w();
      });
    });
    await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;

    // Account "main": one export that stalls at 40 %. Account "broken": its simulator wants another token.
    simMain = await startSimulator({
      token: TOKEN,
      exports: [{ ...STUCK, behaviour: { kind: 'progress', durationMs: 2000, stallAtPercent: 40 } }],
    });
    simBroken = await startSimulator({
      token: 'MIIa-token-the-exporter-does-not-have',
      exports: [{ ...UNAUTHORIZED, behaviour: { kind: 'progress', durationMs: 600_000 } }],
    });
    running = await startExporter({
      config: config(
        [account(simMain.url), account(simBroken.url, { name: 'broken' })],
        [target({ ...STUCK, account: 'main', name: 'stuck-bmc' }), target({ ...UNAUTHORIZED, account: 'broken', name: 'unauthorized-bmc' })],
        { schedule: '* * * * * *', retries: 0 },
      ),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      defaultMetrics: false,
    });

    rulesDir = await mkdtemp(join(tmpdir(), 'clouddc-rules-'));
    const rulesFile = join(rulesDir, 'alerts.yml');
    await writeFile(rulesFile, shortenRules(loadRules(), SHORTEN));

    alertmanager = await startAlertmanager({ webhookUrl: hookUrl, groupWait: '1s', groupInterval: '1s', repeatInterval: '1h', resolveTimeout: '5s' });
    prometheus = await startPrometheus({
      targets: [new URL(running.url).host],
      job: 'clouddc-exporter',
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      ruleFiles: [rulesFile],
      alertmanagers: [alertmanager.address],
      // Resend firing alerts every second, in case the first went out before Alertmanager was discovered.
      extraArgs: ['--rules.alert.resend-delay=1s'],
    });
  }, 30_000);

  afterAll(async () => {
    // Each step on its own, so one failure cannot leave a daemon running.
    const steps: Array<() => Promise<unknown> | undefined> = [
      () => prometheus?.stop(),
      () => alertmanager?.stop(),
      () => running?.stop(100),
      () => simMain?.close(),
      () => simBroken?.close(),
      () => (webhook ? new Promise<void>((resolve) => webhook!.close(() => resolve())) : undefined),
      () => (rulesDir ? rm(rulesDir, { recursive: true, force: true }) : undefined),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // keep stopping the rest
      }
    }
  }, 30_000);

  it('the shortened copy changes only timing values', () => {
    const shipped = alertRules();
    const short = alertRules(loadRules(shortenRules(loadRules(), SHORTEN)));
    const check = spawnSync('promtool', ['check', 'rules', join(rulesDir!, 'alerts.yml')], { encoding: 'utf8', timeout: 30_000 });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(short.map((r) => r.alert)).toEqual(shipped.map((r) => r.alert));
    for (const [i, r] of short.entries()) {
      const original = shipped[i]!;
      expect(r.labels).toEqual(original.labels);
      expect(r.annotations).toEqual(original.annotations);
      const timingFree = (e: string) => e.replace(/\[[0-9a-z]+\]/g, '[R]').replace(/> (1800|3)\b/g, '> T');
      expect(timingFree(r.expr)).toBe(timingFree(original.expr));
    }
  });

  it('fires for a stuck export and failing authentication, and resolves both once fixed', async () => {
    const severity = (name: string) => alertRules().find((r) => r.alert === name)!.labels!.severity;

    const [stuck, auth] = await Promise.all([
      notified('CloudDCLogExportStuck', { export_id: STUCK.exportId, server_id: STUCK.serverId }, 'firing', 40_000),
      notified('CloudDCAuthenticationFailing', { account: 'broken' }, 'firing', 40_000),
    ]);
    // The page names the export as configured: its alias and account, joined from clouddc_log_export_info.
    expect(stuck.labels).toMatchObject({
      severity: severity('CloudDCLogExportStuck'),
      project_id: PROJECT,
      job: 'clouddc-exporter',
      name: 'stuck-bmc',
      account: 'main',
    });
    expect(stuck.annotations.summary).toBe(`CloudDC log export stuck-bmc (${STUCK.exportId}) on server ${STUCK.serverId} is stuck`);
    expect(stuck.annotations.runbook_url).toMatch(/docs\/runbooks\.md#export-stuck$/);
    expect(auth.labels).toMatchObject({ severity: severity('CloudDCAuthenticationFailing'), job: 'clouddc-exporter' });
    expect(auth.annotations.summary).toBe('CloudDC authentication failing for account broken');
    expect(auth.annotations.runbook_url).toMatch(/docs\/runbooks\.md#authentication-failing$/);
    // The healthy account's export never fails authentication.
    expect(received.flatMap((n) => n.alerts).some((a) => a.labels.alertname === 'CloudDCAuthenticationFailing' && a.labels.account === 'main')).toBe(false);

    // The export moves again (and completes within a second); the broken account's token is accepted.
    simMain!.setBehaviour(STUCK, { kind: 'progress', durationMs: 1000 });
    simBroken!.setToken(TOKEN);

    await Promise.all([
      notified('CloudDCLogExportStuck', { export_id: STUCK.exportId }, 'resolved', 30_000),
      notified('CloudDCAuthenticationFailing', { account: 'broken' }, 'resolved', 30_000),
    ]);
  }, 80_000);
});
