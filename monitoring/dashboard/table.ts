import { byName, HEALTH_COLORS, panel, STATUS_COLORS, target, valueMap, type GridPos, type Json } from './panel.js';
import { Q } from './queries.js';

/**
 * One row per export. Every query is deduplicated to the export's key (see queries.ts), so the table's merge
 * joins them on cluster, project_id, server_id and export_id, and a rolling update does not double the rows.
 */
export function exportsTable(id: number, gridPos: GridPos): Json {
  return panel(
    id,
    'table',
    'Exports',
    "One row per export: the discovered server's name, dc, rack and health (when discovery knows the server), status, " +
      'progress, age since created_at, whether the last poll succeeded, and how long ago a processing export last ' +
      'made progress (CloudDCLogExportStuck fires above %(stuckSeconds)s s).',
    gridPos,
    [
      target('A', Q.percentage, 'table'),
      target('B', Q.age, 'table'),
      target('C', Q.status, 'table'),
      target('D', Q.info, 'table'),
      target('E', Q.pollSuccess, 'table'),
      target('F', Q.lastProgress, 'table'),
      target('G', Q.server, 'table'),
    ],
    {
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, 'Value #C': true, 'Value #D': true, 'Value #G': true },
            indexByName: {
              name: 0,
              account: 1,
              project_id: 2,
              server_id: 3,
              server_name: 4,
              dc: 5,
              rack: 6,
              health: 7,
              export_id: 8,
              status: 9,
              'Value #A': 10,
              'Value #B': 11,
              'Value #F': 12,
              'Value #E': 13,
            },
            renameByName: {},
          },
        },
      ],
      fieldConfig: {
        defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' }, filterable: true } },
        overrides: [
          byName('Value #A', [
            ['displayName', 'Progress'],
            ['unit', 'percent'],
            ['min', 0],
            ['max', 100],
            ['custom.cellOptions', { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' }],
            ['color', { mode: 'continuous-BlPu' }],
          ]),
          byName('Value #B', [
            ['displayName', 'Age'],
            ['unit', 'dtdurations'],
            ['decimals', 0],
          ]),
          byName('Value #F', [
            ['displayName', 'Last progress'],
            ['unit', 'dtdurations'],
            ['decimals', 0],
            [
              'thresholds',
              {
                mode: 'absolute',
                steps: [
                  { color: 'green', value: null },
                  { color: 'red', value: '%(stuckSeconds)s' },
                ],
              },
            ],
            ['color', { mode: 'thresholds' }],
            ['custom.cellOptions', { type: 'color-text' }],
          ]),
          byName('Value #E', [
            ['displayName', 'Last poll'],
            [
              'mappings',
              valueMap([
                ['0', 'failed', 'red'],
                ['1', 'ok', 'green'],
              ]),
            ],
            ['custom.cellOptions', { type: 'color-text' }],
          ]),
          byName('server_name', [['displayName', 'Server']]),
          byName('health', [
            ['displayName', 'Health'],
            ['mappings', [{ type: 'value', options: Object.fromEntries(HEALTH_COLORS.map(([s, color], index) => [s, { color, index, text: s }])) }]],
            ['custom.cellOptions', { type: 'color-text' }],
          ]),
          byName('status', [
            ['displayName', 'Status'],
            ['mappings', [{ type: 'value', options: Object.fromEntries(STATUS_COLORS.map(([s, color], index) => [s, { color, index, text: s }])) }]],
            ['custom.cellOptions', { type: 'color-text' }],
          ]),
        ],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: { show: false, reducer: ['sum'], fields: '' },
        sortBy: [{ displayName: 'Progress', desc: false }],
      },
    },
  );
}
