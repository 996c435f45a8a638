import { alarmLevelOf, healthOf, powerOf, type AlarmLevel, type DiscoveredServer, type ManageState } from '../domain/fleet.js';
import type { Parsed } from './response.js';
import { encodePathSegment } from './url.js';

/**
 * ListServers and ListAlarms on the wire (huaweicloud-sdk-go-v3 services/clouddc/v1: ListServersResponse,
 * PhysicalServer, PageInfo, ListAlarmsResponse, AlarmHistory): paths with their query, and answers mapped to
 * domain values. A record that cannot be read is skipped and counted, never fatal; a page that is not the
 * documented shape at all fails the call.
 */

/** ListServers' maximum page size. */
export const SERVERS_PAGE_LIMIT = 1000;
/** ListAlarms documents no maximum; 100 keeps each answer small. */
export const ALARMS_PAGE_LIMIT = 100;
/** A page of 1,000 servers with tags is far past the 1 MiB a status document may have. */
export const FLEET_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Label values from the API are cut here: a runaway name must not bloat every scrape. */
const MAX_LABEL_CHARS = 256;

export interface ServersPage {
  readonly servers: readonly DiscoveredServer[];
  /** The marker of the next page; undefined on the last. */
  readonly nextMarker: string | undefined;
  /** Records without a usable id. */
  readonly skipped: number;
}

export interface AlarmRecord {
  /** Every dimension value: one of them is the server's id (the record has no server field of its own). */
  readonly resourceIds: readonly string[];
  readonly level: AlarmLevel | undefined;
  readonly active: boolean;
}

export interface AlarmsPage {
  readonly alarms: readonly AlarmRecord[];
  readonly count: number | undefined;
  readonly skipped: number;
}

export function serversPath(projectId: string, limit: number, marker: string | undefined, manageState: ManageState | undefined): string {
  const q = new URLSearchParams();
  q.set('limit', String(limit));
  if (marker !== undefined) q.set('marker', marker);
  if (manageState !== undefined) q.set('manage_state', manageState);
  return `/v1/${encodePathSegment(projectId)}/physicalservers?${q.toString()}`;
}

/**
 * `alarm_status=alarm`: the documented value and the SDKs' descriptions; the Go SDK's enum constant spells it
 * `alram`. Records are checked again on arrival, so a backend that ignores the filter is still counted right.
 */
export function alarmsPath(projectId: string, offset: number, limit: number): string {
  return `/v1/${encodePathSegment(projectId)}/physicalservers/alarms?alarm_status=alarm&offset=${offset}&limit=${limit}`;
}

function text(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'string' ? v.slice(0, MAX_LABEL_CHARS) : '';
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function json(body: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * `page_info.next_marker` is documented as "the next page's query address": a bare id as far as any example
 * shows, but a URL or query string carrying `marker=` is read too.
 */
export function markerOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const q = raw.indexOf('?');
  if (q >= 0 || raw.startsWith('marker=')) {
    const found = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : raw).get('marker');
    return found === null || found === '' ? undefined : found;
  }
  return raw;
}

export function parseServersPage(body: string, projectId: string): Parsed<ServersPage> {
  const parsed = json(body);
  if (!parsed.ok) return parsed;
  const list = parsed.value['servers'];
  if (list !== undefined && !Array.isArray(list)) return { ok: false, message: '"servers" is not an array' };
  const servers: DiscoveredServer[] = [];
  let skipped = 0;
  for (const raw of (list as unknown[] | undefined) ?? []) {
    const s = record(raw);
    const id = s['id'];
    if (typeof id !== 'string' || id === '') {
      skipped++;
      continue;
    }
    const location = record(s['location']);
    const hardware = record(s['hardware_attributes']);
    servers.push({
      id,
      projectId: typeof s['project_id'] === 'string' && s['project_id'] !== '' ? s['project_id'] : projectId,
      name: text(s['name']),
      health: healthOf(s['health_state']),
      rawHealth: text(s['health_state']),
      power: powerOf(s['power_state']),
      manageState: text(s['manage_state']),
      operationState: text(s['operation_state']),
      dc: text(location['dc']),
      rack: text(location['rack']),
      unit: text(location['unit']),
      sn: text(hardware['sn']),
      manufacturer: text(hardware['manufacturer']),
      model: text(hardware['model']),
    });
  }
  return { ok: true, value: { servers, nextMarker: markerOf(record(parsed.value['page_info'])['next_marker']), skipped } };
}

export function parseAlarmsPage(body: string): Parsed<AlarmsPage> {
  const parsed = json(body);
  if (!parsed.ok) return parsed;
  const list = parsed.value['alarms'];
  if (list !== undefined && !Array.isArray(list)) return { ok: false, message: '"alarms" is not an array' };
  const alarms: AlarmRecord[] = [];
  let skipped = 0;
  for (const raw of (list as unknown[] | undefined) ?? []) {
    const a = record(raw);
    const dims = record(a['metric'])['dimensions'];
    const resourceIds = (Array.isArray(dims) ? dims : []).map((d) => record(d)['value']).filter((v): v is string => typeof v === 'string' && v !== '');
    if (typeof a['resource_id'] === 'string') resourceIds.push(a['resource_id']);
    if (resourceIds.length === 0) {
      skipped++;
      continue;
    }
    const status = typeof a['alarm_status'] === 'string' ? a['alarm_status'].toLowerCase() : undefined;
    alarms.push({ resourceIds, level: alarmLevelOf(a['alarm_level']), active: status === undefined || status === 'alarm' || status === 'alram' });
  }
  const count = parsed.value['count'];
  return { ok: true, value: { alarms, count: typeof count === 'number' && Number.isSafeInteger(count) ? count : undefined, skipped } };
}
