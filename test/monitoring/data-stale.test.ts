import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { firing, promtoolTest } from './promtool.js';
import { ALERTS_FILE } from './rules.js';

const hasPromtool = requireTool('promtool');

const EXPORT = { job: 'clouddc-exporter', instance: 'exporter:9877', project_id: 'p1', server_id: 's1', export_id: 'e1' };
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/**
 * One export polled every `poll` seconds and scraped every `scrape` seconds (what the chart derives from the
 * schedule: the poll interval, at most 120 s), in the worst phase: each poll lands 1 s after a scrape, so every
 * scrape sees data almost one poll interval old, and it ages one more scrape interval before the next. Polls
 * succeed for `healthy` seconds, then stop (the exporter is up, its last poll did not fail, nothing polls).
 */
function scenario(poll: number, scrape: number, healthy: number, total: number) {
  const steps = Math.floor(total / scrape);
  const lastSuccess: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const t = Math.min(k * scrape, healthy);
    lastSuccess.push(t < 1 ? 0 : Math.floor((t - 1) / poll) * poll + 1);
  }
  const interval = `${scrape}s`;
  return {
    interval,
    input_series: [
      { series: `clouddc_exporter_poll_interval_seconds${labels({ job: EXPORT.job, instance: EXPORT.instance })}`, values: `${poll}x${steps}` },
      { series: `clouddc_log_export_info${labels({ ...EXPORT, name: 'web-01', account: 'main' })}`, values: `1x${steps}` },
      { series: `clouddc_log_export_last_poll_success_timestamp_seconds${labels(EXPORT)}`, values: lastSuccess.join(' ') },
      { series: `clouddc_log_export_poll_success${labels(EXPORT)}`, values: `1x${steps}` },
      { series: `clouddc_log_export_status${labels({ ...EXPORT, status: 'processing' })}`, values: `1x${steps}` },
      { series: `clouddc_log_export_status${labels({ ...EXPORT, status: 'completed' })}`, values: `0x${steps}` },
    ],
  };
}

const SCHEDULES: Array<[string, number, number]> = [
  ['5 s', 5, 5],
  ['30 s', 30, 30],
  ['2 min', 120, 120],
  ['10 min', 600, 120],
];

describe.skipIf(!hasPromtool)('CloudDCLogExportDataStale at any poll schedule (promtool)', () => {
  const rules = readFileSync(ALERTS_FILE, 'utf8');

  it.each(SCHEDULES)('polls every %s: quiet while polls succeed, firing once they stop', (_, poll, scrape) => {
    // Healthy for 20 polls (at least 2 h), then stopped long enough for max(3 polls, 90 s) + `for: 5m`.
    const healthy = Math.max(7200, 20 * poll);
    const threshold = Math.max(3 * poll, 90);
    const firesBy = healthy + threshold + poll + 300 + 2 * scrape + 60;
    const quiet = [];
    for (let t = 600; t <= healthy; t += 60) quiet.push(firing('CloudDCLogExportDataStale', `${t}s`, []));
    const stale = firing('CloudDCLogExportDataStale', `${firesBy}s`, [{ ...EXPORT, severity: 'warning', name: 'web-01', account: 'main' }]);
    const r = promtoolTest(rules, [{ ...scenario(poll, scrape, healthy, firesBy + 60), promql_expr_test: [...quiet, stale] }]);
    expect(r.status, r.output).toBe(0);
  });

  it('does not fire before max(3 polls, 90 s) have passed without a successful poll', () => {
    // At 2-minute polls the old fixed 90 s threshold fired here for a healthy export.
    const poll = 120;
    const healthy = 7200;
    const r = promtoolTest(rules, [
      { ...scenario(poll, poll, healthy, healthy + 1200), promql_expr_test: [firing('CloudDCLogExportDataStale', `${healthy + 3 * poll}s`, [])] },
    ]);
    expect(r.status, r.output).toBe(0);
  });
});
