/** One change of a scripted server, `afterMs` after the fleet was set (simulator clock). */
export interface ServerChange {
  readonly afterMs: number;
  readonly health_state?: string;
  readonly power_state?: string;
  readonly manage_state?: string;
}

/**
 * A physical server as ListServers returns it (PhysicalServer in the SDK, snake_case as on the wire). `changes`
 * script its states over time; the latest change whose time has come wins, field by field.
 */
export interface SimServer {
  readonly id: string;
  readonly name: string;
  readonly project_id: string;
  readonly manage_state: string;
  readonly power_state?: string;
  readonly health_state?: string;
  readonly operation_state?: string;
  readonly location?: { readonly dc?: string; readonly rack?: string; readonly unit?: string };
  readonly hardware_attributes?: { readonly sn: string; readonly manufacturer: string; readonly model: string };
  readonly tags?: readonly { readonly key: string; readonly value?: string }[];
  readonly changes?: readonly ServerChange[];
}

/** An alarm record (AlarmHistory in the SDK); active from `beginAfterMs` until `endAfterMs` after the fleet was set. */
export interface SimAlarm {
  readonly alarm_record_id: string;
  readonly server_id: string;
  readonly alarm_level: 1 | 2 | 3 | 4;
  readonly alarm_name: string;
  readonly metric_name?: string;
  readonly beginAfterMs?: number;
  readonly endAfterMs?: number;
}

/** An event (EventInfo in the SDK) at `afterMs` after the fleet was set. */
export interface SimEvent {
  readonly event_id: string;
  readonly resource_id: string;
  readonly event_level: 'critical' | 'major' | 'minor' | 'info';
  readonly event_message: string;
  readonly afterMs: number;
}

export interface SimFleet {
  readonly servers: readonly SimServer[];
  readonly alarms?: readonly SimAlarm[];
  readonly events?: readonly SimEvent[];
}

/** The three fleet calls. */
export type FleetOp = 'servers' | 'alarms' | 'events';
