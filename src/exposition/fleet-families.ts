import { ALARM_LEVELS, HEALTH_STATES, POWER_STATES, type AccountFleet, type FleetServer } from '../domain/fleet.js';
import { flat, formatValue, renderLabels } from './text.js';

/**
 * The families of discovered servers (`servers:`), as data like the per-export ones: a server family renders one
 * server's lines from `{account,project_id,server_id` (the label set opened, not closed), an account family one
 * account's lines. Nothing here is fetched at scrape time.
 */
export interface ServerFamily {
  readonly scope: 'server';
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  render(s: FleetServer, open: string): string;
}

export interface AccountFamily {
  readonly scope: 'account';
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  render(f: AccountFleet): string;
}

export type FleetFamily = ServerFamily | AccountFamily;

const DISCOVERED = 'From ListServers, refreshed every servers.interval; not fetched at scrape time.';

/** `{account="…",project_id="…",server_id="…"` without the closing brace. */
export function openServerLabels(account: string, s: FleetServer): string {
  const full = renderLabels([
    ['account', account],
    ['project_id', s.server.projectId],
    ['server_id', s.server.id],
  ]);
  return full.slice(0, -1);
}

function stateSet(name: string, label: string, states: readonly string[], current: string, open: string): string {
  const pieces: string[] = [];
  for (const st of states) pieces.push(name, open, ',', label, '="', st, '"} ', st === current ? '1' : '0', '\n');
  return flat(pieces);
}

function accountLine(name: string, f: AccountFleet, value: number | undefined): string {
  return value === undefined ? '' : `${name}${renderLabels([['account', f.account]])} ${formatValue(value)}\n`;
}

export const FLEET_FAMILIES: readonly FleetFamily[] = [
  {
    scope: 'server',
    name: 'clouddc_server_info',
    help: `Discovered physical server; always 1. Carries its name, serial number, model, location and manage_state. ${DISCOVERED}`,
    type: 'gauge',
    render: (s, open) => {
      const v = s.server;
      const rest = renderLabels([
        ['name', v.name],
        ['sn', v.sn],
        ['model', v.model],
        ['dc', v.dc],
        ['rack', v.rack],
        ['unit', v.unit],
        ['manage_state', v.manageState],
      ]);
      return flat(['clouddc_server_info', open, ',', rest.slice(1), ' 1\n']);
    },
  },
  {
    scope: 'server',
    name: 'clouddc_server_health_state',
    help: `Server health_state as a state set: exactly one of OK, Warning, Critical, Unknown, other is 1. ${DISCOVERED}`,
    type: 'gauge',
    render: (s, open) => stateSet('clouddc_server_health_state', 'state', HEALTH_STATES, s.server.health, open),
  },
  {
    scope: 'server',
    name: 'clouddc_server_power_state',
    help: `Server power_state as a state set: exactly one of on, off, powering-on, powering-off, rebooting, other is 1. ${DISCOVERED}`,
    type: 'gauge',
    render: (s, open) => stateSet('clouddc_server_power_state', 'state', POWER_STATES, s.server.power, open),
  },
  {
    scope: 'server',
    name: 'clouddc_server_active_alarms',
    help: 'Active alarms of the server by level (ListAlarms alarm_level 1 urgent, 2 important, 3 minor, 4 info). Absent with servers.alarms: false.',
    type: 'gauge',
    render: (s, open) => {
      const counts = s.alarms;
      if (counts === undefined) return '';
      const pieces: string[] = [];
      for (const level of ALARM_LEVELS) pieces.push('clouddc_server_active_alarms', open, ',level="', level, '"} ', String(counts[level]), '\n');
      return flat(pieces);
    },
  },
  {
    scope: 'account',
    name: 'clouddc_exporter_server_discovery_last_success_timestamp_seconds',
    help: 'Unix time of the last server discovery round (ListServers and ListAlarms to the last page) that succeeded. Absent until one has.',
    type: 'gauge',
    render: (f) => accountLine('clouddc_exporter_server_discovery_last_success_timestamp_seconds', f, f.lastSuccessAt),
  },
  {
    scope: 'account',
    name: 'clouddc_exporter_server_discovery_duration_seconds',
    help: 'How long the last server discovery round took, all pages, retries and rate-limit waits included.',
    type: 'gauge',
    render: (f) => accountLine('clouddc_exporter_server_discovery_duration_seconds', f, f.lastDurationSeconds),
  },
  {
    scope: 'account',
    name: 'clouddc_exporter_server_discovery_success',
    help: '1 if the last server discovery round succeeded; 0 if it failed and the server series show the last good round.',
    type: 'gauge',
    render: (f) => accountLine('clouddc_exporter_server_discovery_success', f, f.lastRoundOk === undefined ? undefined : f.lastRoundOk ? 1 : 0),
  },
  {
    scope: 'account',
    name: 'clouddc_exporter_servers',
    help: 'Servers this replica exports for the account: those of its shard, including any missed by the last round only.',
    type: 'gauge',
    render: (f) => accountLine('clouddc_exporter_servers', f, f.servers.size),
  },
];
