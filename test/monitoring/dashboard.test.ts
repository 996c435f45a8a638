import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportTarget } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';
import { startPrometheus, type Prometheus, type QueryAnswer } from '../support/prometheus.js';
import { requireTool } from '../support/tools.js';
import { DASHBOARD_FILE } from './rules.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  fieldConfig?: { overrides?: Array<{ matcher: { id: string; options: string }; properties: Array<{ id: string; value: unknown }> }> };
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));

/**
 * What Grafana would put in place of each variable with "All" selected and a 1 h range; any other variable
 * in an expr fails the test, so a new one cannot slip in untested.
 */
const VARIABLES: Record<string, string> = {
  account: '.*',
  project: '.*',
  server: '.*',
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

function substitute(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_, a: string | undefined, b: string | undefined, c: string | undefined) => {
    const name = (a ?? b ?? c)!;
    const value = VARIABLES[name];
    if (value === undefined) throw new Error(`no test value for variable $${name} in: ${expr}`);
    return value;
  });
}

function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : v.query.query;
}

describe('dashboard.json', () => {
  it('is the CloudDC log exports dashboard', () => {
    expect(dashboard.title).toBe('CloudDC log exports');
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it('has the datasource, account, project and server variables', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variableQuery(vars.get('account')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, account\)$/);
    expect(variableQuery(vars.get('project')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, project_id\)$/);
    expect(variableQuery(vars.get('server')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, server_id\)$/);
    for (const name of ['account', 'project', 'server']) expect(vars.get(name)!.datasource?.uid).toBe('${datasource}');
  });

  it('has unique panel ids and the panels docs/alerting.md describes', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const types = new Set(panels.map((p) => p.type));
    for (const t of ['stat', 'bargauge', 'table', 'timeseries']) expect(types).toContain(t);
    const table = panels.find((p) => p.type === 'table')!;
    const progress = table.fieldConfig!.overrides!.find((o) => o.properties.some((p) => p.id === 'displayName' && p.value === 'Progress'))!;
    expect(progress.properties).toContainEqual({ id: 'custom.cellOptions', value: expect.objectContaining({ type: 'gauge' }) });
  });

  it.each(targets.map(({ panel, target: t }) => [`${panel.title} ${t.refId}`, panel, t] as const))(
    '%s uses the datasource variable and is filtered by account, project and server',
    (_, panel, t) => {
      expect(panel.datasource?.uid).toBe('${datasource}');
      expect(t.datasource?.uid ?? panel.datasource?.uid).toBe('${datasource}');
      for (const v of ['$account', '$project', '$server']) expect(t.expr).toContain(v);
    },
  );
});

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

describe.skipIf(!hasPrometheus)('dashboard queries against a real Prometheus scraping the exporter', () => {
  let sim: Simulator | undefined;
  let running: Running | undefined;
  let prom: Prometheus | undefined;

  beforeAll(async () => {
    const rows = scenario(Date.now());
    sim = await startSimulator({
      token: TOKEN,
      exports: rows.map(([t, behaviour]) => ({ projectId: t.projectId, serverId: t.serverId, exportId: t.exportId, behaviour })),
    });
    running = await startExporter({
      config: config(
        [account(sim.url)],
        rows.map(([t]) => t),
        { schedule: '* * * * * *', retries: 1, backoffInitialMs: 10, backoffMaxMs: 50 },
      ),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
    });
    prom = await startPrometheus({ targets: [new URL(running.url).host] });
    // The first scrape comes about 5 s after start; rate() needs a few samples after it.
    await prom.waitFor('count_over_time(up{job="clouddc-exporter"}[1m]) >= 4', (r) => r.length === 1, 30_000);
    await prom.waitFor('count(clouddc_log_export_status == 1)', (r) => Number(r[0]?.value?.[1]) === 5, 10_000);
    await prom.waitFor('clouddc_api_retries_total', (r) => r.length > 0, 10_000);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await running?.stop(100);
    await sim?.close();
  }, 20_000);

  it('sees every status among the scripted exports', async () => {
    const answer = await prom!.query('sum by (status) (clouddc_log_export_status)');
    const byStatus = Object.fromEntries(answer.data!.result.map((r) => [r.metric.status, Number(r.value![1])]));
    expect(byStatus).toEqual({ processing: 2, completed: 1, failed: 1, unknown: 1 });
  });

  it.each(dashboard.templating.list.filter((v) => v.type === 'query').map((v) => [v.name, v] as const))(
    'variable $%s lists values',
    async (_, v) => {
      const m = /^label_values\((.+), *(\w+)\)$/.exec(variableQuery(v));
      expect(m, variableQuery(v)).not.toBeNull();
      const answer = await prom!.query(substitute(m![1]!));
      expect(answer.httpStatus, JSON.stringify(answer)).toBe(200);
      expect(answer.data!.result.map((r) => r.metric[m![2]!]).filter(Boolean).length).toBeGreaterThan(0);
    },
  );

  it.each(targets.map(({ panel, target: t }) => [`${panel.title} ${t.refId}`, panel, t] as const))(
    'panel "%s": its query is valid and returns data',
    async (_, panel, t) => {
      const expr = substitute(t.expr);
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
    },
  );
});
