import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NON_CONFORMING_DEFAULT_METRICS } from '../../src/metrics/default-metrics.js';
import { startExporter } from '../../src/runtime/start.js';
import { account, config } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { requireTool } from '../support/tools.js';

const GOLDEN = ['../runtime/golden/metrics.prom', '../exposition/golden/exposition.prom'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const hasPromtool = requireTool('promtool');

function lint(body: string | Buffer): { status: number | null; findings: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return { status: r.status, findings: (r.stderr + r.stdout).split('\n').filter((l) => l.trim() !== '') };
}

describe.skipIf(!hasPromtool)('promtool check metrics', () => {
  it.each(GOLDEN)('accepts %s with no finding (exit 0)', (file) => {
    expect(lint(readFileSync(file))).toEqual({ status: 0, findings: [] });
  });

  it('accepts the whole live /metrics, default process_ and nodejs_ metrics included (exit 0)', async () => {
    const running = await startExporter({
      config: config([account('http://127.0.0.1:9')], [{ projectId: 'p', serverId: 's', exportId: '1', account: 'main', name: 'n', labels: {} }]),
      logger: silentLogger,
      listen: { host: '127.0.0.1', port: 0 },
      makeSource: () => ({ fetchStatus: async () => ({ ok: false, attempts: 1, reason: 'timeout', message: 'no answer' }), close: async () => undefined }),
    });
    try {
      await running.exporter.runner.idle();
      const body = await (await fetch(`${running.url}/metrics`)).text();
      // The body really holds what the lint is about: prom-client's defaults and the exporter's own families.
      for (const family of [
        'process_cpu_seconds_total',
        'nodejs_heap_size_used_bytes',
        'nodejs_active_handles',
        'nodejs_eventloop_lag_seconds',
        'clouddc_exporter_total_shards',
        'clouddc_log_export_status',
      ]) {
        expect(body).toContain(`# TYPE ${family} `);
      }
      // prom-client's gauges named like counters are gone; their per-type gauges stay (sum them for a total).
      for (const name of NON_CONFORMING_DEFAULT_METRICS) expect(body).not.toContain(name);
      expect(lint(body), body).toEqual({ status: 0, findings: [] });
    } finally {
      await running.stop(100);
    }
  });

  it('really lints: a counter without _total and a gauge with _total are reported (exit 3)', () => {
    expect(lint('# HELP x_count a\n# TYPE x_count counter\nx_count 1\n').status).toBe(3);
    const total = lint('# HELP x_shard_total a\n# TYPE x_shard_total gauge\nx_shard_total 1\n');
    expect(total.status).toBe(3);
    expect(total.findings).toEqual(['x_shard_total non-counter metrics should not have "_total" suffix']);
  });
});
