/**
 * The fleet as ListServers and ListAlarms describe it (huaweicloud-sdk-go-v3 services/clouddc/v1 models), mapped to
 * closed label values so that a new spelling on the wire can never grow the number of series.
 */

/** `health_state` per the SDK's Health enum; anything else is `other`. */
export const HEALTH_STATES = ['OK', 'Warning', 'Critical', 'Unknown', 'other'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** `power_state` per the SDK's PowerState enum; anything else is `other`. */
export const POWER_STATES = ['on', 'off', 'powering-on', 'powering-off', 'rebooting', 'other'] as const;
export type PowerState = (typeof POWER_STATES)[number];

/** `manage_state` per the SDK's ManageState enum (ListServers' `manage_state` filter takes the same values). */
export const MANAGE_STATES = ['onboard', 'ready', 'in-use', 'frozen', 'offboarding'] as const;
export type ManageState = (typeof MANAGE_STATES)[number];

/** ListAlarms' `alarm_level` 1 to 4, in that order. */
export const ALARM_LEVELS = ['urgent', 'important', 'minor', 'info'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

/** Active alarms of one server, by level. */
export type AlarmCounts = Readonly<Record<AlarmLevel, number>>;

/** One PhysicalServer, as the exporter keeps it: strings as sent ('' when absent), states mapped. */
export interface DiscoveredServer {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly health: HealthState;
  /** As sent, for the status page; never a label. */
  readonly rawHealth: string;
  readonly power: PowerState;
  readonly manageState: string;
  readonly operationState: string;
  readonly dc: string;
  readonly rack: string;
  readonly unit: string;
  readonly sn: string;
  readonly manufacturer: string;
  readonly model: string;
}

/** `servers:` of one account. */
export interface ServerDiscoverySettings {
  readonly intervalMs: number;
  /** Passed to ListServers as `manage_state`; all servers when absent. */
  readonly manageState?: ManageState;
  /** Whether ListAlarms runs each round. */
  readonly alarms: boolean;
}

/** A server in the exporter's view: what the last round that listed it said, and how many rounds missed it since. */
export interface FleetServer {
  readonly server: DiscoveredServer;
  /** Undefined when alarms are not fetched for the account. */
  readonly alarms: AlarmCounts | undefined;
  /** Rounds in a row that succeeded without listing this server (0 or 1; at 2 it is gone). */
  readonly missed: number;
}

/** One account's fleet after its latest round. */
export interface AccountFleet {
  readonly account: string;
  readonly projectId: string;
  /** By server id, in the order the API listed them. */
  readonly servers: ReadonlyMap<string, FleetServer>;
  /** Unix seconds of the last round that succeeded; undefined before the first. */
  readonly lastSuccessAt: number | undefined;
  /** Seconds the last round took, success or not. */
  readonly lastDurationSeconds: number | undefined;
  /** Whether the last round succeeded; false means `servers` is the last good answer. */
  readonly lastRoundOk: boolean | undefined;
  /** Why the last round failed, secrets redacted; undefined after a success. */
  readonly lastError: string | undefined;
  /** Rounds in a row that failed. */
  readonly failuresInARow: number;
}

export function healthOf(raw: unknown): HealthState {
  if (typeof raw !== 'string') return 'Unknown';
  // The SDK's values are mixed case; a gateway or an older backend may send them in another case.
  const found = HEALTH_STATES.find((s) => s !== 'other' && s.toLowerCase() === raw.trim().toLowerCase());
  return found ?? 'other';
}

export function powerOf(raw: unknown): PowerState {
  if (typeof raw !== 'string') return 'other';
  const norm = raw.trim().toLowerCase().replace(/[ _]/g, '-');
  // The SDK's own comments say "power on" / "power off" for on / off.
  const alias = norm === 'power-on' ? 'on' : norm === 'power-off' ? 'off' : norm;
  return (POWER_STATES as readonly string[]).includes(alias) ? (alias as PowerState) : 'other';
}

/** `alarm_level` 1..4 as a label; undefined for anything else (counted nowhere, logged once per round). */
export function alarmLevelOf(raw: unknown): AlarmLevel | undefined {
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4 ? ALARM_LEVELS[n - 1] : undefined;
}
