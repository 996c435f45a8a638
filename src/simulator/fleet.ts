import { JSON_TYPE, type BodySpec } from './bodies.js';
import type { Fault } from './faults.js';
import { reply, validateBehaviour, type Reply } from './scenario.js';
import type { FleetOp, SimAlarm, SimFleet, SimServer } from './fleet-types.js';
import type { FleetFault, SimulatorFleet } from './types.js';
import { validateFault } from './faults.js';

/**
 * ListServers, ListAlarms and ListEvents as the SDK models describe them (docs/clouddc-api.md#fleet-calls): marker
 * paging with `page_info.next_marker` for servers, offset paging for alarms and events, the documented filters,
 * and 400 iMetal.0001 for a parameter out of range. Scripted servers change state as the simulator clock moves.
 */

const DAY_MS = 24 * 3_600_000;
const MANAGE_STATES = new Set(['onboard', 'ready', 'in-use', 'frozen', 'offboarding']);

export type FleetAnswer = { readonly kind: 'reply'; readonly reply: Reply } | { readonly kind: 'fault'; readonly fault: Fault };

export interface FleetHandler {
  readonly api: SimulatorFleet;
  answer(op: FleetOp, projectId: string, query: URLSearchParams, requestId: string): FleetAnswer;
}

interface Prepared {
  readonly server: SimServer;
  readonly changes: NonNullable<SimServer['changes']>;
}

export function createFleet(now: () => number): FleetHandler {
  let servers: Prepared[] = [];
  let alarms: readonly SimAlarm[] = [];
  let events: SimFleet['events'] = [];
  let setAt = now();
  const faults = new Map<FleetOp, FleetFault>();
  const queued: Record<FleetOp, FleetFault[]> = { servers: [], alarms: [], events: [] };
  const served: Record<FleetOp, number> = { servers: 0, alarms: 0, events: 0 };

  const validate = (f: FleetFault, where: string): void => {
    if ('behaviour' in f) validateBehaviour(f.behaviour, where);
    else validateFault(f.fault, where);
  };

  /** The server's fields now: each scripted field takes the value of its latest change that has come. */
  function current(p: Prepared, elapsed: number): SimServer {
    if (p.changes.length === 0) return p.server;
    const out: Record<string, unknown> = { ...p.server };
    for (const c of p.changes) {
      if (c.afterMs > elapsed) break;
      if (c.health_state !== undefined) out['health_state'] = c.health_state;
      if (c.power_state !== undefined) out['power_state'] = c.power_state;
      if (c.manage_state !== undefined) out['manage_state'] = c.manage_state;
    }
    return out as unknown as SimServer;
  }

  function listServers(projectId: string, q: URLSearchParams): Reply {
    const manage = q.get('manage_state');
    if (manage !== null && !MANAGE_STATES.has(manage)) return invalid('manage_state');
    const limit = clampLimit(q.get('limit'), 10, 1000);
    if (limit === undefined) return invalid('limit');
    const elapsed = now() - setAt;
    const all = servers.map((p) => current(p, elapsed)).filter((s) => s.project_id === projectId && (manage === null || s.manage_state === manage));
    const marker = q.get('marker');
    let start = 0;
    if (marker !== null && marker !== '') {
      const at = all.findIndex((s) => s.id === marker);
      if (at < 0) return invalid('marker');
      start = at + 1;
    }
    const page = all.slice(start, start + limit).map(({ changes: _changes, ...wire }) => wire);
    const more = start + limit < all.length;
    const pageInfo: Record<string, unknown> = { current_count: page.length };
    if (more && page.length > 0) pageInfo['next_marker'] = page[page.length - 1]!.id;
    if (start > 0) pageInfo['previous_marker'] = all[start - 1]!.id;
    return ok({ servers: page, page_info: pageInfo, count: all.length });
  }

  function listAlarms(projectId: string, q: URLSearchParams): Reply {
    const status = q.get('alarm_status');
    // The SDK's enum spells the active state "alram"; its description and the docs say "alarm". Both are accepted.
    if (status !== null && !['ok', 'alarm', 'alram', 'invalid'].includes(status)) return invalid('alarm_status');
    const level = q.get('alarm_level');
    if (level !== null && !['1', '2', '3', '4'].includes(level)) return invalid('alarm_level');
    const paged = offsetPage(q);
    if (typeof paged === 'string') return invalid(paged);
    const ids = q.get('resource_id')?.split(',').filter(Boolean);
    const elapsed = now() - setAt;
    const inProject = new Set(servers.filter((p) => p.server.project_id === projectId).map((p) => p.server.id));
    const records = alarms
      .filter((a) => inProject.has(a.server_id) && (a.beginAfterMs ?? 0) <= elapsed)
      .map((a) => ({ a, active: a.endAfterMs === undefined || a.endAfterMs > elapsed }))
      .filter(({ a, active }) => {
        if (ids !== undefined && !ids.includes(a.server_id)) return false;
        if (level !== null && String(a.alarm_level) !== level) return false;
        if (status === 'alarm' || status === 'alram') return active;
        if (status === 'ok') return !active;
        return status !== 'invalid';
      })
      .map(({ a, active }) => alarmRecord(a, active, setAt));
    return ok({ alarms: records.slice(paged.offset, paged.offset + paged.limit), count: records.length });
  }

  function listEvents(projectId: string, q: URLSearchParams): Reply {
    const from = Number(q.get('from'));
    const to = Number(q.get('to'));
    if (!q.has('from') || !Number.isSafeInteger(from) || from < 0) return invalid('from');
    if (!q.has('to') || !Number.isSafeInteger(to) || to <= from || to - from > 30 * DAY_MS) return invalid('to');
    const level = q.get('event_level');
    if (level !== null && !['critical', 'major', 'minor', 'info'].includes(level)) return invalid('event_level');
    const paged = offsetPage(q);
    if (typeof paged === 'string') return invalid(paged);
    const ids = q.get('resource_id')?.split(',').filter(Boolean);
    const inProject = new Set(servers.filter((p) => p.server.project_id === projectId).map((p) => p.server.id));
    const list = (events ?? [])
      .map((e) => ({ ...e, time: setAt + e.afterMs }))
      .filter((e) => inProject.has(e.resource_id) && e.time >= from && e.time <= to && e.time <= now())
      .filter((e) => (level === null || e.event_level === level) && (ids === undefined || ids.includes(e.resource_id)))
      .map(({ afterMs: _a, ...e }) => ({ ...e, status: 'active' }));
    return ok({ events: list.slice(paged.offset, paged.offset + paged.limit), count: list.length });
  }

  const api: SimulatorFleet = {
    set(fleet) {
      servers = fleet.servers.map((server) => ({ server, changes: [...(server.changes ?? [])].sort((a, b) => a.afterMs - b.afterMs) }));
      alarms = fleet.alarms ?? [];
      events = fleet.events ?? [];
      setAt = now();
    },
    setFault(op, fault) {
      if (fault === undefined) return void faults.delete(op);
      validate(fault, `fleet fault for ${op}`);
      faults.set(op, fault);
    },
    queueFaults(op, list) {
      list.forEach((f, i) => validate(f, `fleet fault ${i} for ${op}`));
      queued[op].push(...list);
    },
    served,
  };

  return {
    api,
    answer(op, projectId, query, requestId) {
      served[op]++;
      const fault = queued[op].shift() ?? faults.get(op);
      if (fault !== undefined) {
        if ('fault' in fault) return { kind: 'fault', fault: fault.fault };
        const ctx = { key: { projectId, serverId: '', exportId: '' }, index: served[op] - 1, now: now(), addedAt: setAt, requestId };
        return { kind: 'reply', reply: reply(fault.behaviour, ctx) };
      }
      const r = op === 'servers' ? listServers(projectId, query) : op === 'alarms' ? listAlarms(projectId, query) : listEvents(projectId, query);
      return { kind: 'reply', reply: r };
    },
  };
}

function alarmRecord(a: SimAlarm, active: boolean, setAt: number): Record<string, unknown> {
  const begin = Math.floor((setAt + (a.beginAfterMs ?? 0)) / 1000);
  return {
    alarm_record_id: a.alarm_record_id,
    alarm_id: `al${a.alarm_record_id}`,
    alarm_name: a.alarm_name,
    alarm_status: active ? 'alarm' : 'ok',
    alarm_level: a.alarm_level,
    begin_time: begin,
    last_alarm_time: begin,
    ...(!active && a.endAfterMs !== undefined && { end_time: Math.floor((setAt + a.endAfterMs) / 1000) }),
    metric: { metric_name: a.metric_name ?? 'hardware_health', dimensions: [{ name: 'instance_id', value: a.server_id }] },
  };
}

/** The SDK: under 10 (or absent) becomes 10, over the maximum becomes the maximum. Not a number is a 400. */
function clampLimit(raw: string | null, min: number, max: number): number | undefined {
  if (raw === null || raw === '') return min;
  if (!/^-?\d+$/.test(raw)) return undefined;
  return Math.min(max, Math.max(min, Number(raw)));
}

function offsetPage(q: URLSearchParams): { offset: number; limit: number } | string {
  const rawOffset = q.get('offset');
  const offset = rawOffset === null ? 0 : Number(rawOffset);
  if (!Number.isSafeInteger(offset) || offset < 0) return 'offset';
  const limit = clampLimit(q.get('limit'), 1, 1000);
  return limit === undefined ? 'limit' : { offset, limit: q.has('limit') ? limit : 100 };
}

function ok(body: Record<string, unknown>): Reply {
  const spec: BodySpec = { contentType: JSON_TYPE, text: JSON.stringify(body) };
  return { kind: 'answer', status: 200, body: spec, delayMs: 0 };
}

function invalid(param: string): Reply {
  const text = JSON.stringify({ error_code: 'iMetal.0001', error_msg: `A request parameter contains invalid or unsupported value: ${param}` });
  return { kind: 'answer', status: 400, body: { contentType: JSON_TYPE, text }, delayMs: 0 };
}
