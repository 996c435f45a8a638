import type { IncomingHttpHeaders } from 'node:http';
import type { ExportKey } from '../domain/export.js';
import type { Fault } from './faults.js';
import type { FleetOp, SimFleet } from './fleet-types.js';

export type { ExportKey };

/** The wire variants the CloudDC docs disagree on (see docs/clouddc-api.md#answer-fields-and-where-the-documents-disagree); each is chosen per export. */
export interface ProgressBehaviour {
  readonly kind: 'progress';
  /** Simulator-clock ms; defaults to when the behaviour was set. */
  readonly startedAt?: number;
  readonly durationMs: number;
  /** Progress stops moving at this percentage and never completes. */
  readonly stallAtPercent?: number;
  /** The status turns failed once progress reaches this percentage. */
  readonly failAtPercent?: number;
  /** Defaults 'processing' / 'completed' / 'failed'; the doc example uses e.g. 'Running'. */
  readonly spelling?: { readonly processing?: string; readonly completed?: string; readonly failed?: string };
  /** 30, "30", "30%", "30.5"; default 'number'. */
  readonly percentShape?: 'number' | 'string' | 'percent' | 'float-string';
  /** 2025-03-20T02:48:06Z vs 2025-03-20T02:48:06+00:00; default 'z'. */
  readonly createdAtStyle?: 'z' | 'offset';
}

export interface SequenceStep {
  readonly times: number;
  readonly behaviour: Behaviour;
}

export type Behaviour =
  | ProgressBehaviour
  /** Answers exactly this JSON with 200. */
  | { readonly kind: 'fixed'; readonly body: Record<string, unknown> }
  /** Without `body`, the body CloudDC or its gateway would send for that status (see bodies.ts). */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly body?: string | Record<string, unknown>;
      readonly retryAfter?: string;
      readonly contentType?: string;
    }
  /** 200 with a body the client must reject; content type defaults to JSON, as a broken backend would claim. */
  | { readonly kind: 'malformed'; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'slow'; readonly delayMs: number; readonly then: Behaviour }
  /**
   * Counted per export: each step answers `times` requests, then `then` answers the rest.
   * Without `then` the steps repeat forever.
   */
  | { readonly kind: 'sequence'; readonly steps: readonly SequenceStep[]; readonly then?: Behaviour }
  /** Never answers, until the simulator closes. */
  | { readonly kind: 'hang' }
  /** Sends the head and part of the body, then destroys the socket. */
  | { readonly kind: 'reset' };

export interface ScriptedExport extends ExportKey {
  readonly behaviour: Behaviour;
}

/**
 * What an authenticate hook sees: enough to verify an X-Auth-Token or an SDK-HMAC-SHA256 signature. Shaped so it
 * can be passed straight to signature-verifier's verifySignature.
 */
export interface AuthRequest {
  readonly method: string;
  /** Path plus query exactly as on the request line, still percent-encoded. */
  readonly rawPath: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** Always '': no route takes a body (ExportServerLogs is a POST without one), and none is read. */
  readonly body: string;
  /** The X-Request-Id of this answer, for gateway bodies that echo it. */
  readonly requestId: string;
  /** Simulator clock, ms: lets a verifier check X-Sdk-Date skew against the fake clock. */
  readonly now: number;
}

export type AuthVerdict = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly body: string | Record<string, unknown> };

export type Authenticate = (req: AuthRequest) => AuthVerdict | Promise<AuthVerdict>;

/** The API gateway's throttling policy; see throttle.ts. */
export interface SimulatorRateLimit {
  /** Requests answered per sliding second; more get 429 APIGW.0308. */
  readonly requestsPerSecond: number;
  /** One budget for everyone (default), or one per token / access key, as a "policy user" limit is. */
  readonly per?: 'global' | 'credential';
  /** Sent as Retry-After on every 429 of the policy; the real gateway is not known to send one. */
  readonly retryAfter?: string;
}

/**
 * How one ExportServerLogs request goes wrong; queued per server with `queueStartFaults`, one fault per POST.
 * `created` says whether the export is made anyway, as it may be when the backend fails after starting the task
 * or the connection dies after the request arrived: the case a client must not blindly retry.
 */
export type StartFault =
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly body?: string | Record<string, unknown>;
      readonly retryAfter?: string;
      readonly created?: boolean;
    }
  /** Destroys the connection once the request has arrived, before any byte of an answer. */
  | { readonly kind: 'drop'; readonly created?: boolean };

/** What DownloadServerLogs sends for one export (see bundle.ts); unset fields take the simulator's defaults. */
export interface BundleOptions {
  /** Size of the bundle's log member; the .tar.gz is a few hundred bytes longer. */
  readonly logBytes?: number;
  /** Replaces `${sn}-dump.tar.gz` in Content-Disposition verbatim (to test hostile names). */
  readonly filename?: string;
  /** Mid-stream damage after `afterBytes` bytes of body: the socket is destroyed, or the stream stops. */
  readonly fault?: { readonly kind: 'reset' | 'stall'; readonly afterBytes: number };
  /** Answers with this error instead of the bundle (the documented bodies unless `body` is given). */
  readonly error?: { readonly status: number; readonly body?: string | Record<string, unknown> };
}

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Required X-Auth-Token; no check when undefined. Ignored when `authenticate` is given. */
  readonly token?: string;
  readonly authenticate?: Authenticate;
  readonly exports?: readonly ScriptedExport[];
  /** ms clock for scripted progress and recorded times; default Date.now. Delays always use real time. */
  readonly now?: () => number;
  /** How many recent requests `requests` keeps; default 10,000. */
  readonly maxRecordedRequests?: number;
  /** Throttles authenticated requests like the API gateway; none when undefined. */
  readonly rateLimit?: SimulatorRateLimit;
  /** What ShowLogsExportStatus reports for an export ExportServerLogs starts; default 30 s of progress. */
  readonly newExportBehaviour?: Behaviour;
  /** When given, ExportServerLogs answers 404 iMetal.0100 for any other server id. */
  readonly servers?: readonly string[];
  /** Default log size of a bundle; 256 KiB. */
  readonly bundleLogBytes?: number;
  /** The servers, alarms and events ListServers, ListAlarms and ListEvents answer with; none when undefined. */
  readonly fleet?: SimFleet;
  /**
   * A strict gateway: 406 to a request whose Accept does not admit what the operation produces (JSON, or for
   * ExportServerLogs and DownloadServerLogs application/octet-stream). Default false.
   */
  readonly strictAccept?: boolean;
  /** 'camel' sends error bodies as errorCode / errorMsg / requestId; default 'snake' (error_code, error_msg). */
  readonly errorKeys?: 'snake' | 'camel';
}

export interface RecordedRequest {
  readonly method: string;
  /** The request target as sent: percent-encoded, query included. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: IncomingHttpHeaders;
  /** `now()` when the request arrived. */
  readonly at: number;
  readonly requestId: string;
  /** The decoded path parameters, when the path matched the ShowLogsExportStatus route (known export or not). */
  readonly key?: ExportKey;
  /** Which operation the path matched, if any. */
  readonly op?: 'status' | 'start' | 'download' | 'servers' | 'alarms' | 'events';
}

export interface Simulator {
  /** http://HOST:PORT, no trailing slash. */
  readonly url: string;
  /** The most recent requests, oldest first (a copy). */
  readonly requests: RecordedRequest[];
  /** Every request since start or the last clearRequests(), including those no longer kept in `requests`. */
  readonly requestCount: number;
  /** Requests the rate limit refused with 429 since start or the last clearRequests(). */
  readonly throttledCount: number;
  /** Replaces the throttling policy (its counts start afresh); undefined lifts it. */
  setRateLimit(limit: SimulatorRateLimit | undefined): void;
  /** Adds or replaces; replacing restarts the export's request count and its default progress start. */
  setBehaviour(key: ExportKey, behaviour: Behaviour): void;
  removeExport(key: ExportKey): void;
  /** While set, answers this export's requests with a wire-level fault (see faults.ts); undefined clears it. */
  setFault(key: ExportKey, fault: Fault | undefined): void;
  /** Requests the export's behaviour has answered since it was set: the index `sequence` steps count with. */
  servedCount(key: ExportKey): number;
  setToken(token: string | undefined): void;
  /** Real-time delay added to every answer; default 0. */
  setLatency(ms: number): void;
  /** See SimulatorOptions.strictAccept. */
  setStrictAccept(on: boolean): void;
  /** See SimulatorOptions.errorKeys. */
  setErrorKeys(style: 'snake' | 'camel'): void;
  clearRequests(): void;
  /** Every export ExportServerLogs has started, oldest first. */
  readonly startedExports: readonly ExportKey[];
  /** Each following POST for this server answers with the next fault, until the queue is empty. */
  queueStartFaults(serverId: string, faults: readonly StartFault[]): void;
  /** Replaces what ShowLogsExportStatus reports for exports started from now on. */
  setNewExportBehaviour(behaviour: Behaviour): void;
  /** Replaces (or, with undefined, resets) what DownloadServerLogs sends for this export. */
  setBundle(key: ExportKey, bundle: BundleOptions | undefined): void;
  /** ListServers, ListAlarms and ListEvents: the scripted fleet and its faults (see fleet.ts). */
  readonly fleet: SimulatorFleet;
  /** Closes every socket, including hanging requests and idle keep-alive connections. */
  close(): Promise<void>;
}

/** What answers a fleet call instead of the data: a behaviour (an error, a malformed body, a hang…) or a wire fault. */
export type FleetFault = { readonly behaviour: Behaviour } | { readonly fault: Fault };

/** The fleet side of the simulator (Simulator.fleet). */
export interface SimulatorFleet {
  /** Replaces the fleet; its clock (`afterMs` of changes and alarms) starts now. */
  set(fleet: SimFleet): void;
  /** While set, every request of `op` answers with this fault; undefined clears it. */
  setFault(op: FleetOp, fault: FleetFault | undefined): void;
  /** The next requests of `op` answer with these faults, one each, before normal answers resume. */
  queueFaults(op: FleetOp, faults: readonly FleetFault[]): void;
  /** Requests answered per call since start. */
  readonly served: Readonly<Record<FleetOp, number>>;
}
