import { byName, byRefId, panel, REDUCE_OPTIONS, stat, STATUS_COLORS, target, timeseries, valueMap, type Json } from './panel.js';
import { Q } from './queries.js';
import { exportsTable } from './table.js';
import { fleetPanels } from './fleet.js';

/** Every panel, top to bottom. Thresholds in %(name)s placeholders come from the dashboard config. */
export function panels(): Json[] {
  return [
    stat(
      1,
      'Tracked exports',
      'Exports in the configuration that match the filters (each counted once, however many exporters export it).',
      { h: 5, w: 4, x: 0, y: 0 },
      target('A', Q.trackedExports, 'instant', 'exports'),
      { unit: 'short', color: { mode: 'fixed', fixedColor: 'text' } },
      'value',
    ),
    panel(
      2,
      'bargauge',
      'Exports by status',
      'How many exports are in each status (exports never polled successfully have none).',
      { h: 5, w: 10, x: 4, y: 0 },
      [target('A', Q.byStatus, 'instant', '{{status}}')],
      {
        fieldConfig: {
          defaults: { unit: 'short', min: 0, decimals: 0, color: { mode: 'fixed', fixedColor: 'blue' } },
          overrides: STATUS_COLORS.map(([s, c]) => byName(s, [['color', { mode: 'fixed', fixedColor: c }]])),
        },
        options: { orientation: 'horizontal', displayMode: 'basic', showUnfilled: true, valueMode: 'color', reduceOptions: REDUCE_OPTIONS },
      },
    ),
    stat(
      3,
      'Polls succeeding',
      'Share of exports whose last poll succeeded.',
      { h: 5, w: 5, x: 14, y: 0 },
      target('A', Q.pollsSucceeding, 'instant', 'polls ok'),
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'red', value: null },
            { color: 'orange', value: 0.5 },
            { color: 'green', value: 1 },
          ],
        },
      },
      'background',
    ),
    stat(
      4,
      'Oldest data',
      'Longest time since an export that is still polled (not completed) was polled successfully.',
      { h: 5, w: 5, x: 19, y: 0 },
      target('A', Q.oldestData, 'instant', 'oldest'),
      {
        unit: 's',
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'green', value: null },
            { color: 'orange', value: '%(staleSeconds)s' },
            { color: 'red', value: 600 },
          ],
        },
      },
      'value',
    ),
    exportsTable(5, { h: 10, w: 24, x: 0, y: 5 }),
    timeseries(
      6,
      'Progress',
      'Percentage reported by ShowLogsExportStatus, per export.',
      { h: 8, w: 12, x: 0, y: 15 },
      [target('A', Q.percentage, 'range', '{{server_id}} / {{export_id}}')],
      { unit: 'percent', min: 0, max: 100 },
      { fillOpacity: 0, spanNulls: false },
    ),
    panel(
      7,
      'state-timeline',
      'Poll success',
      'Whether the last poll of each export succeeded.',
      { h: 8, w: 12, x: 12, y: 15 },
      [target('A', Q.pollSuccess, 'range', '{{server_id}} / {{export_id}}')],
      {
        fieldConfig: {
          defaults: {
            min: 0,
            max: 1,
            mappings: valueMap([
              ['0', 'failing', 'red'],
              ['1', 'ok', 'green'],
            ]),
            thresholds: {
              mode: 'absolute',
              steps: [
                { color: 'red', value: null },
                { color: 'green', value: 1 },
              ],
            },
            color: { mode: 'thresholds' },
          },
          overrides: [],
        },
        options: {
          showValue: 'never',
          mergeValues: true,
          rowHeight: 0.9,
          alignValue: 'left',
          legend: { displayMode: 'list', placement: 'bottom', showLegend: false },
          tooltip: { mode: 'single', sort: 'none' },
        },
      },
    ),
    timeseries(
      8,
      'Failed polls by code',
      'Failed polls per second by reason: HTTP status, timeout, network or invalid_response.',
      { h: 8, w: 12, x: 0, y: 23 },
      [target('A', Q.failedPolls, 'range', '{{code}}')],
      { unit: 'short', min: 0 },
      { fillOpacity: 10, axisLabel: 'failed polls/s', stacking: { mode: 'normal', group: 'A' } },
    ),
    timeseries(
      9,
      'API requests by code',
      'HTTP requests to the CloudDC API (retries included) of the accounts owning the selected exports, by status code.',
      { h: 8, w: 12, x: 12, y: 23 },
      [target('A', Q.requests, 'range', '{{account}} {{code}}')],
      { unit: 'reqps', min: 0 },
      { fillOpacity: 10, stacking: { mode: 'normal', group: 'A' } },
    ),
    timeseries(
      10,
      'API latency',
      'p50 and p99 of CloudDC API request durations, per account.',
      { h: 8, w: 12, x: 0, y: 31 },
      [target('A', Q.latency(0.5), 'range', 'p50 {{account}}'), target('B', Q.latency(0.99), 'range', 'p99 {{account}}')],
      { unit: 's', min: 0 },
      { fillOpacity: 0 },
    ),
    timeseries(
      11,
      'API retries by reason',
      'Retried CloudDC API requests per second, by the reason of the failed attempt.',
      { h: 8, w: 12, x: 12, y: 31 },
      [target('A', Q.retries, 'range', '{{account}} {{reason}}')],
      { unit: 'reqps', min: 0 },
      { fillOpacity: 10 },
    ),
    timeseries(
      12,
      'Poll cycle',
      'Per exporter pod: how long the last poll cycle took; the shortest cycle the rate limit allows, per account ' +
        "(exports ÷ rate_limit, this shard's share); and the interval of poll.schedule. A cycle near the interval " +
        'means overruns (skipped cycles); a minimum above it means the schedule cannot be met at this rate_limit.',
      { h: 8, w: 24, x: 0, y: 39 },
      [
        target('A', Q.cycleDuration, 'range', 'cycle {{instance}}'),
        target('B', Q.cycleMinDuration, 'range', 'minimum {{account}} {{instance}}'),
        target('C', Q.pollInterval, 'range', 'interval {{instance}}'),
      ],
      { unit: 's', min: 0 },
      { fillOpacity: 0 },
      [
        byRefId('B', [['custom.lineStyle', { fill: 'dot', dash: [2, 4] }]]),
        byRefId('C', [
          ['custom.lineStyle', { fill: 'dash', dash: [10, 10] }],
          ['color', { mode: 'fixed', fixedColor: 'red' }],
        ]),
      ],
    ),
    ...fleetPanels(),
  ];
}
