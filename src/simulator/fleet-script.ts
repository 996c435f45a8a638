import type { SimAlarm, SimEvent, SimFleet, SimServer } from './fleet-types.js';

export interface ScriptedFleetOptions {
  readonly projectId: string;
  readonly count: number;
  /** Ids to use first, e.g. the servers the scripted exports belong to, so that exports and servers join. */
  readonly ids?: readonly string[];
  /** How long each scripted phase lasts; default 20 s. Every 10th server cycles OK → Warning → Critical → OK. */
  readonly phaseMs?: number;
  /** How many phases are scripted ahead; default 30. */
  readonly phases?: number;
}

const SERVERS_PER_RACK = 20;

function uuidFor(i: number): string {
  const hex = (i + 1).toString(16).padStart(12, '0');
  return `5e7f0000-0000-4000-8000-${hex}`;
}

/**
 * A deterministic fleet whose health moves: racks of 20, two data centres, every 10th server cycling through
 * Warning and Critical (with an urgent alarm while Critical and an important one while Warning), every 25th
 * powered off, every 40th `ready` instead of `in-use`, and a server whose health is a value no SDK lists.
 */
export function scriptedFleet(opts: ScriptedFleetOptions): SimFleet {
  const phaseMs = opts.phaseMs ?? 20_000;
  const phases = opts.phases ?? 30;
  const servers: SimServer[] = [];
  const alarms: SimAlarm[] = [];
  const events: SimEvent[] = [];
  for (let i = 0; i < opts.count; i++) {
    const id = opts.ids?.[i] ?? uuidFor(i);
    const dc = i % 2 === 0 ? 'dc-east' : 'dc-west';
    const rack = `R${String(Math.floor(i / SERVERS_PER_RACK) + 1).padStart(3, '0')}`;
    const unit = String((i % SERVERS_PER_RACK) * 2 + 1);
    const changes: NonNullable<SimServer['changes']>[number][] = [];
    if (i % 10 === 3) {
      for (let p = 0; p < phases; p++) {
        const health = ['OK', 'Warning', 'Critical'][p % 3]!;
        changes.push({ afterMs: p * phaseMs, health_state: health });
        if (health === 'Critical') {
          alarms.push(alarm(`c${i}-${p}`, id, 1, 'Power supply failure', p * phaseMs, (p + 1) * phaseMs));
          events.push({ event_id: `e${i}-${p}`, resource_id: id, event_level: 'critical', event_message: 'PSU 1 lost input', afterMs: p * phaseMs });
        } else if (health === 'Warning') {
          alarms.push(alarm(`w${i}-${p}`, id, 2, 'Fan speed degraded', p * phaseMs, (p + 1) * phaseMs));
        }
      }
    }
    servers.push({
      id,
      name: `bm-${dc.slice(3)}-${rack.toLowerCase()}-u${unit.padStart(2, '0')}`,
      project_id: opts.projectId,
      manage_state: i % 40 === 39 ? 'ready' : 'in-use',
      power_state: i % 25 === 24 ? 'off' : 'on',
      health_state: i === 7 ? 'Degraded' : 'OK',
      operation_state: 'power-on-succeed',
      location: { dc, rack, unit },
      hardware_attributes: { sn: `2102313${String(i).padStart(6, '0')}`, manufacturer: 'Huawei', model: i % 3 === 0 ? 'TaiShan 200' : 'FusionServer 2288H V6' },
      tags: [{ key: 'team', value: i % 2 === 0 ? 'storage' : 'compute' }],
      ...(changes.length > 0 && { changes }),
    });
    if (i % 7 === 5) alarms.push(alarm(`m${i}`, id, 3, 'Disk predictive failure', 0));
  }
  return { servers, alarms, events };
}

function alarm(recordId: string, serverId: string, level: 1 | 2 | 3 | 4, name: string, beginAfterMs: number, endAfterMs?: number): SimAlarm {
  return {
    alarm_record_id: `ah${recordId}`,
    server_id: serverId,
    alarm_level: level,
    alarm_name: name,
    beginAfterMs,
    ...(endAfterMs !== undefined && { endAfterMs }),
  };
}
