import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dashboard, DASHBOARD_VARIABLES, panels, targets, variableQuery } from './dashboard.js';

describe('dashboard.json', () => {
  it('is the CloudDC log exports dashboard', () => {
    expect(dashboard.title).toBe('CloudDC log exports');
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it('has the datasource, cluster, job, instance, account, project and server variables, in that order', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', ...DASHBOARD_VARIABLES]);
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variableQuery(vars.get('cluster')!)).toMatch(/^label_values\(clouddc_exporter_build_info\b.*, cluster\)$/);
    expect(variableQuery(vars.get('job')!)).toMatch(/^label_values\(clouddc_exporter_build_info\{cluster=~"\$cluster"\}, job\)$/);
    expect(variableQuery(vars.get('instance')!)).toMatch(/^label_values\(clouddc_exporter_build_info\{.*job=~"\$job".*\}, instance\)$/);
    expect(variableQuery(vars.get('account')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, account\)$/);
    expect(variableQuery(vars.get('project')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, project_id\)$/);
    expect(variableQuery(vars.get('server')!)).toMatch(/^label_values\(clouddc_log_export_info\b.*, server_id\)$/);
    for (const name of DASHBOARD_VARIABLES) expect(vars.get(name)!.datasource?.uid).toBe('${datasource}');
  });

  it('has unique panel ids and the panels docs/alerting.md describes', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const types = new Set(panels.map((p) => p.type));
    for (const t of ['stat', 'bargauge', 'table', 'timeseries']) expect(types).toContain(t);
    const table = panels.find((p) => p.type === 'table')!;
    const progress = table.fieldConfig!.overrides!.find((o) => o.properties.some((p) => p.id === 'displayName' && p.value === 'Progress'))!;
    expect(progress.properties).toContainEqual({ id: 'custom.cellOptions', value: expect.objectContaining({ type: 'gauge' }) });
    const lastProgress = table.fieldConfig!.overrides!.find((o) => o.properties.some((p) => p.id === 'displayName' && p.value === 'Last progress'))!;
    expect(lastProgress.properties).toContainEqual({
      id: 'thresholds',
      value: expect.objectContaining({ steps: expect.arrayContaining([{ color: 'red', value: 1800 }]) }),
    });
  });

  it("shows the discovered server's name, dc, rack and health next to each export in the table", () => {
    const table = panels.find((p) => p.title === 'Exports')!;
    const server = table.targets!.find((t) => t.refId === 'G')!;
    expect(server.expr).toMatch(/^max by \(cluster, project_id, server_id, export_id, server_name, dc, rack, health\) \(clouddc_log_export_info\{/);
    expect(server.expr).toContain('clouddc_server_info{');
    expect(server.expr).toContain('clouddc_server_health_state{');
    const organize = (table as unknown as { transformations: Array<{ id: string; options: { indexByName?: Record<string, number> } }> }).transformations.find(
      (t) => t.id === 'organize',
    )!;
    const columns = Object.entries(organize.options.indexByName!)
      .sort(([, a], [, b]) => a - b)
      .map(([k]) => k);
    expect(columns.slice(columns.indexOf('server_id'), columns.indexOf('export_id'))).toEqual(['server_id', 'server_name', 'dc', 'rack', 'health']);
  });

  it('has exactly the panels of the table in docs/alerting.md, in order', () => {
    const doc = readFileSync(new URL('../../docs/alerting.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('| Panel | Shows |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    expect(panels.map((p) => p.title)).toEqual(rows.map((r) => r.split('|')[1]!.trim()));
  });

  it('shows the poll cycle, the shortest cycle the rate limit allows and the schedule interval in one panel', () => {
    const cycle = panels.find((p) => p.title === 'Poll cycle')!;
    const exprs = Object.fromEntries(cycle.targets!.map((t) => [t.refId, t.expr]));
    expect(exprs.A).toMatch(/^max by \(cluster, job, instance\) \(clouddc_exporter_poll_cycle_duration_seconds\{/);
    expect(exprs.B).toMatch(/^max by \(cluster, job, instance, account\) \(clouddc_exporter_poll_cycle_min_duration_seconds\{/);
    expect(exprs.C).toMatch(/^max by \(cluster, job, instance\) \(clouddc_exporter_poll_interval_seconds\{/);
    expect(Object.keys(exprs)).toEqual(['A', 'B', 'C']);
    // One unit for all three, so the lines share an axis; the interval is the line to stay under.
    expect(cycle.fieldConfig).toMatchObject({ defaults: { unit: 's', min: 0 } });
    const interval = cycle.fieldConfig!.overrides!.find((o) => o.matcher.id === 'byFrameRefID' && o.matcher.options === 'C')!;
    expect(interval.properties).toContainEqual({ id: 'custom.lineStyle', value: expect.objectContaining({ fill: 'dash' }) });
  });

  it.each(targets.map(({ panel, target: t }) => [`${panel.title} ${t.refId}`, panel, t] as const))(
    '%s uses the datasource variable and is filtered by every variable',
    (_, panel, t) => {
      expect(panel.datasource?.uid).toBe('${datasource}');
      expect(t.datasource?.uid ?? panel.datasource?.uid).toBe('${datasource}');
      for (const v of DASHBOARD_VARIABLES) expect(t.expr).toContain(`$${v}`);
    },
  );
});
