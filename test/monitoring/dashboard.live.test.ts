import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportTarget } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { scriptedFleet, startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';
import { startPrometheus, type Prometheus, type QueryAnswer } from '../support/prometheus.js';
import { requireTool } from '../support/tools.js';
import { ALL, dashboard, DASHBOARD_VARIABLES, substitute, targets, variableQuery, type Target } from './dashboard.js';

const hasPrometheus = requireTool('prometheus');

/** One export per status, plus throttling (429, retried), server errors and a 401. */
function scenario(now: number): Array<[ExportTarget, Behaviour]> {
  const row = (serverId: string, exportId: string, behaviour: Behaviour, labels: Record<string, string> = {}): [ExportTarget, Behaviour] => [
    target({ projectId: PROJECT, serverId, exportId, name: `${serverId}-bmc`, labels }),
    behaviour,
  ];
  return [
    row('srv-processing', '1', { kind: 'progress', startedAt: now - 60_000, durationMs: 600_000 }, { team: 'storage' }),
    row('srv-completed', '2', { kind: 'progress', startedAt: now - 60_000, durationMs: 1000 }),
    row('srv-failed', '3', { kind: 'progress', startedAt: now - 60_000, durationMs: 100_000, failAtPercent: 50 }),
    row('srv-unknown', '4', { kind: 'fixed', body: { export_id: '4', status: 'Queued', percentage: '0%', created_at: new Date(now).toISOString() } }),
    row('srv-throttled', '5', {
      kind: 'sequence',
      steps: [
        { times: 1, behaviour: { kind: 'error', status: 429, retryAfter: '0' } },
        { times: 1, behaviour: { kind: 'progress', startedAt: now, durationMs: 600_000 } },
      ],
    }),
    row('srv-erroring', '6', { kind: 'error', status: 500 }),
    row('srv-unauthorized', '7', { kind: 'error', status: 401 }),
  ];
}

/** A query's value by one label; instant vector answers. */
function byLabel(answer: QueryAnswer, label: string): Record<string, number> {
  return Object.fromEntries(answer.data!.result.map((r) => [r.metric[label] ?? '', Number(r.value![1])]));
}

function targetOf(title: string, refId = 'A'): Target {
  return targets.find(({ panel, target: t }) => panel.title === title && t.refId === refId)!.target;
}

/**
 * Two exporter pods with the same configuration, as during a rolling update, scraped under one job in one
 * cluster (a target label, as Kubernetes service discovery adds it).
 */
describe.skipIf(!hasPrometheus)('dashboard queries against a real Prometheus scraping two exporter pods', () => {
  let sim: Simulator | undefined;
  const pods: Running[] = [];
  let prom: Prometheus | undefined;
  /** One value each variable lists, chained the way Grafana refreshes them (cluster, then job, ...). */
  const chosen: Record<string, string> = {};
  const rows = scenario(Date.now());

  beforeAll(async () => {
    sim = await startSimulator({
      token: TOKEN,
      exports: rows.map(([t, behaviour]) => ({ projectId: t.projectId, serverId: t.serverId, exportId: t.exportId, behaviour })),
      // The exports' servers, discovered: the Fleet row's queries must find them under every variable.
      fleet: scriptedFleet({ projectId: PROJECT, count: rows.length, ids: rows.map(([t]) => t.serverId) }),
    });
    for (let i = 0; i < 2; i++) {
      pods.push(
        await startExporter({
          config: config(
            [account(sim.url, { servers: { intervalMs: 10_000, alarms: true } })],
            rows.map(([t]) => t),
            { schedule: '* * * * * *', retries: 1, backoffInitialMs: 10, backoffMaxMs: 50 },
          ),
          logger: silentLogger,
          listen: { host: '127.0.0.1', port: 0 },
        }),
      );
    }
    prom = await startPrometheus({ targets: pods.map((p) => new URL(p.url).host), labels: { cluster: 'test' } });
    // The first scrape comes about 5 s after start; rate() needs a few samples after it.
    await prom.waitFor('count_over_time(up{job="clouddc-exporter"}[1m]) >= 4', (r) => r.length === 2, 30_000);
    await prom.waitFor('count(clouddc_log_export_status == 1)', (r) => Number(r[0]?.value?.[1]) === 10, 10_000);
    await prom.waitFor('clouddc_api_retries_total', (r) => r.length > 0, 10_000);
    await prom.waitFor('count(clouddc_server_info)', (r) => Number(r[0]?.value?.[1]) === 2 * rows.length, 10_000);
    await prom.waitFor('clouddc_exporter_poll_interval_seconds', (r) => r.length === 2 && r.every((s) => s.value?.[1] === '1'), 10_000);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    for (const p of pods) await p.stop(100);
    await sim?.close();
  }, 20_000);

  it('scrapes every series twice, once per pod', async () => {
    const answer = await prom!.query('sum by (status) (clouddc_log_export_status)');
    expect(byLabel(answer, 'status')).toEqual({ processing: 4, completed: 2, failed: 2, unknown: 2 });
    expect(Number((await prom!.query('count(clouddc_log_export_info)')).data!.result[0]!.value![1])).toBe(2 * rows.length);
  });

  it('counts every export once: tracked exports, exports by status, one table row per export', async () => {
    const tracked = await prom!.query(substitute(targetOf('Tracked exports').expr));
    expect(Number(tracked.data!.result[0]!.value![1])).toBe(rows.length);
    const byStatus = await prom!.query(substitute(targetOf('Exports by status').expr));
    expect(byLabel(byStatus, 'status')).toEqual({ processing: 2, completed: 1, failed: 1, unknown: 1 });
    for (const refId of ['A', 'B', 'C', 'D', 'E', 'G']) {
      const answer = await prom!.query(substitute(targetOf('Exports', refId).expr));
      const keys = answer.data!.result.map((r) => `${r.metric.server_id}/${r.metric.export_id}`);
      expect(new Set(keys).size, `table query ${refId}: ${keys.join(' ')}`).toBe(keys.length);
      expect(keys.length, `table query ${refId}`).toBeGreaterThan(0);
    }
  });

  it("shows each export's discovered server: name, dc, rack and health, once per export although both pods discover it", async () => {
    const answer = await prom!.query(substitute(targetOf('Exports', 'G').expr));
    const fleet = scriptedFleet({ projectId: PROJECT, count: rows.length, ids: rows.map(([t]) => t.serverId) });
    const got = Object.fromEntries(answer.data!.result.map((r) => [r.metric.server_id, [r.metric.server_name, r.metric.dc, r.metric.rack, r.metric.health]]));
    // A scripted server whose health changes over time may be in any of its states by now.
    const health = (s: (typeof fleet.servers)[number]) =>
      s.changes !== undefined
        ? expect.stringMatching(/^(OK|Warning|Critical)$/)
        : ['OK', 'Warning', 'Critical', 'Unknown'].includes(s.health_state!)
          ? s.health_state
          : 'other';
    expect(got).toEqual(Object.fromEntries(fleet.servers.map((s) => [s.id, [s.name, s.location!.dc, s.location!.rack, health(s)]])));
    expect(Object.keys(got)).toHaveLength(rows.length);
  });

  it('shows how long ago processing exports last made progress', async () => {
    const answer = await prom!.query(substitute(targetOf('Exports', 'F').expr));
    const ages = answer.data!.result.map((r) => [r.metric.server_id, Number(r.value![1])] as const);
    expect(ages.map(([s]) => s).sort()).toEqual(['srv-processing', 'srv-throttled']);
    for (const [, age] of ages) expect(age).toBeGreaterThanOrEqual(0);
  });

  it("shows each pod's last cycle, the floor of its account (7 exports at 10,000 requests/s) and its 1 s interval", async () => {
    const perPod = async (refId: string) => (await prom!.query(substitute(targetOf('Poll cycle', refId).expr))).data!.result;
    const cycles = await perPod('A');
    expect(cycles.map((r) => r.metric.instance).sort()).toEqual(pods.map((p) => new URL(p.url).host).sort());
    for (const r of cycles) expect(Number(r.value![1])).toBeGreaterThan(0);
    const floors = await perPod('B');
    expect(floors.map((r) => [r.metric.account, Number(r.value![1])])).toEqual([
      ['main', rows.length / 10_000],
      ['main', rows.length / 10_000],
    ]);
    expect((await perPod('C')).map((r) => Number(r.value![1]))).toEqual([1, 1]);
  });

  it.each(dashboard.templating.list.filter((v) => v.type === 'query').map((v) => [v.name, v] as const))('variable $%s lists values', async (name, v) => {
    const m = /^label_values\((.+), *(\w+)\)$/.exec(variableQuery(v));
    expect(m, variableQuery(v)).not.toBeNull();
    for (const values of [ALL, { ...ALL, ...chosen }]) {
      const answer = await prom!.query(substitute(m![1]!, values));
      expect(answer.httpStatus, JSON.stringify(answer)).toBe(200);
      const listed = [...new Set(answer.data!.result.map((r) => r.metric[m![2]!]).filter((x): x is string => Boolean(x)))].sort();
      expect(listed.length).toBeGreaterThan(0);
      if (name === 'instance') expect(listed.length).toBe(2);
      // A processing export: completed ones rightly have no "oldest data" and no "last progress".
      chosen[name] = name === 'server' ? 'srv-processing' : listed[0]!;
      expect(listed).toContain(chosen[name]);
    }
  });

  it.each(targets.map(({ panel, target: t }) => [`${panel.title} ${t.refId}`, panel, t] as const))(
    'panel "%s": its query is valid and returns data, with All and with one value per variable',
    async (_, panel, t) => {
      expect(Object.keys(chosen)).toEqual(DASHBOARD_VARIABLES);
      for (const values of [ALL, chosen]) {
        const expr = substitute(t.expr, values);
        const describeAnswer = (a: QueryAnswer) => `${expr}\n→ HTTP ${a.httpStatus} ${JSON.stringify(a).slice(0, 500)}`;
        const instant = await prom!.query(expr);
        expect(instant.httpStatus, describeAnswer(instant)).toBe(200);
        expect(instant.status).toBe('success');
        expect(instant.data!.result.length, describeAnswer(instant)).toBeGreaterThan(0);
        if (panel.type === 'timeseries' || panel.type === 'state-timeline') {
          const end = Date.now() / 1000;
          const range = await prom!.queryRange(expr, end - 30, end, 1);
          expect(range.httpStatus, describeAnswer(range)).toBe(200);
          expect(range.data!.result.length, describeAnswer(range)).toBeGreaterThan(0);
        }
      }
    },
  );
});
