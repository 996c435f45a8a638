import type { AutoCollectResult } from '../domain/auto-collect.js';

/**
 * What automatic collection remembers per server, kept in the state file (`auto_collect`) so that a restart
 * neither repeats a start nor forgets one. A start is written as `starting` before the call and as its outcome
 * after it: a `starting` found at start-up means the exporter stopped during the call, and an export may exist.
 */

export type RecordResult = AutoCollectResult | 'starting';

export interface ServerRecord {
  readonly account: string;
  readonly projectId: string;
  readonly serverId: string;
  readonly serverName: string;
  /** Whether the server was in a triggering health state at the last round: an incident still running. */
  readonly matching: boolean;
  /** Active alarms at `alarm_level` or worse at the last round. */
  readonly alarms: number;
  /** The last decision that acted (started, tried, or would have in a dry run); cooldown counts from it. Unix s. */
  readonly actedAt?: number;
  readonly trigger?: string;
  readonly result?: RecordResult;
  readonly exportId?: string;
  /** Starts tried for the current incident (a failure that provably started nothing may be tried again). */
  readonly attempts?: number;
  readonly maybeStarted?: boolean;
  readonly detail?: string;
  /** Set once the bundle is in the download directory (or given up on). */
  readonly downloaded?: 'ok' | 'failed';
  readonly downloadAttempts?: number;
}

export interface LedgerData {
  /** By `project_id/server_id`. */
  readonly servers: Readonly<Record<string, ServerRecord>>;
  /** Unix seconds of each start (or dry-run decision) in the last hour, by account: the budget. */
  readonly calls: Readonly<Record<string, readonly number[]>>;
}

export function recordKey(projectId: string, serverId: string): string {
  return `${projectId}/${serverId}`;
}

const RESULTS: ReadonlySet<string> = new Set<RecordResult>(['started', 'dry_run', 'cooldown', 'budget', 'failed', 'starting']);
const str = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || str(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || num(v);

function validRecord(r: Record<string, unknown>): boolean {
  return (
    str(r['account']) &&
    str(r['projectId']) &&
    str(r['serverId']) &&
    str(r['serverName']) &&
    typeof r['matching'] === 'boolean' &&
    num(r['alarms']) &&
    optNum(r['actedAt']) &&
    optStr(r['trigger']) &&
    (r['result'] === undefined || RESULTS.has(r['result'] as string)) &&
    optStr(r['exportId']) &&
    optNum(r['attempts']) &&
    (r['maybeStarted'] === undefined || typeof r['maybeStarted'] === 'boolean') &&
    optStr(r['detail']) &&
    (r['downloaded'] === undefined || r['downloaded'] === 'ok' || r['downloaded'] === 'failed') &&
    optNum(r['downloadAttempts'])
  );
}

/** The state file's `auto_collect` section, checked; a problem as text makes the whole section unusable. */
export function parseLedger(raw: unknown): LedgerData | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return '"auto_collect" is not an object';
  const { servers, calls } = raw as { servers?: unknown; calls?: unknown };
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return '"auto_collect.servers" is not an object';
  if (typeof calls !== 'object' || calls === null || Array.isArray(calls)) return '"auto_collect.calls" is not an object';
  for (const [key, r] of Object.entries(servers as Record<string, unknown>)) {
    if (typeof r !== 'object' || r === null || !validRecord(r as Record<string, unknown>))
      return `auto_collect entry ${JSON.stringify(key).slice(0, 80)} is malformed`;
  }
  for (const [account, list] of Object.entries(calls as Record<string, unknown>)) {
    if (!Array.isArray(list) || !list.every(num)) return `auto_collect calls of ${JSON.stringify(account).slice(0, 80)} are malformed`;
  }
  return raw as LedgerData;
}
