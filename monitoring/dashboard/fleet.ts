import { HEALTH_COLORS, REDUCE_OPTIONS, panel, stat, target, type Json } from './panel.js';
import { TARGET } from './queries.js';

/**
 * The "Fleet" row: discovered servers (`servers:` per account). Per-server series are deduplicated with max by
 * their server key, as the per-export ones are by theirs, so a rolling update does not double any count.
 */
const SRV = `${TARGET}, account=~"$account", project_id=~"$project", server_id=~"$server"`;
const SERVER = '%(cluster)s, account, project_id, server_id';

export const FLEET_Q = {
  byHealth: `sum by (state) (max by (${SERVER}, state) (clouddc_server_health_state{${SRV}}))`,
  byPower: `sum by (state) (max by (${SERVER}, state) (clouddc_server_power_state{${SRV}}))`,
  alarms: `sum by (level) (max by (${SERVER}, level) (clouddc_server_active_alarms{${SRV}}))`,
  /** Servers not OK per rack, the ten racks with most (racks with none show 0 while fewer than ten have any). */
  topRacks:
    `topk(10, sum by (dc, rack) (max by (${SERVER}) (clouddc_server_health_state{${SRV}, state!="OK"})` +
    ` * on(${SERVER}) group_left(dc, rack) max by (${SERVER}, dc, rack) (clouddc_server_info{${SRV}})))`,
  /** Of the accounts that discovered a selected server (so every variable filters it). */
  discoveryAge:
    `time() - max by (account) (clouddc_exporter_server_discovery_last_success_timestamp_seconds{${TARGET}, account=~"$account"}` +
    ` and on(%(cluster)s, job, instance, account) clouddc_server_info{${SRV}})`,
};

function bars(id: number, title: string, description: string, x: number, expr: string, legend: string, colors: Json[]): Json {
  return panel(id, 'bargauge', title, description, { h: 7, w: 6, x, y: 48 }, [target('A', expr, 'instant', legend)], {
    fieldConfig: { defaults: { unit: 'short', min: 0, decimals: 0, color: { mode: 'fixed', fixedColor: 'blue' } }, overrides: colors },
    options: { orientation: 'horizontal', displayMode: 'basic', showUnfilled: true, valueMode: 'color', reduceOptions: REDUCE_OPTIONS },
  });
}

function color(name: string, c: string): Json {
  return { matcher: { id: 'byName', options: name }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: c } }] };
}

export function fleetPanels(): Json[] {
  return [
    { id: 13, type: 'row', title: 'Fleet', collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: 47 }, panels: [] },
    bars(
      14,
      'Servers by health',
      'Discovered servers by health_state (ListServers), each counted once.',
      0,
      FLEET_Q.byHealth,
      '{{state}}',
      HEALTH_COLORS.map(([s, c]) => color(s, c)),
    ),
    bars(15, 'Servers by power state', 'Discovered servers by power_state.', 6, FLEET_Q.byPower, '{{state}}', [color('on', 'green'), color('off', 'text')]),
    bars(16, 'Active alarms by level', 'Active alarms of the discovered servers (ListAlarms), by level.', 12, FLEET_Q.alarms, '{{level}}', [
      color('urgent', 'red'),
      color('important', 'orange'),
      color('minor', 'yellow'),
    ]),
    bars(17, 'Top racks', 'The racks with the most servers whose health is not OK.', 18, FLEET_Q.topRacks, '{{dc}} {{rack}}', []),
    stat(
      18,
      'Last server discovery',
      'Time since the last successful discovery round, per account (CloudDCServerDiscoveryFailing fires after 15 minutes).',
      { h: 4, w: 24, x: 0, y: 55 },
      target('A', FLEET_Q.discoveryAge, 'instant', '{{account}}'),
      {
        unit: 's',
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'green', value: null },
            { color: 'orange', value: 300 },
            { color: 'red', value: 900 },
          ],
        },
      },
      'value',
    ),
  ];
}
