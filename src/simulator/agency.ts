import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TEXT_TYPE } from './bodies.js';
import { header, listen, obj, parseJson, send } from './http-util.js';
import { RequestLog } from './recorder.js';
import { serveServiceFault, ServiceFaults, type ServiceFault, type ServiceRequest } from './service-faults.js';
import { createTemporaryKeys, credentialDocument, type TemporaryKeys } from './temp-keys.js';

/**
 * Where a workload gets its agency's temporary keys: the ECS/BMS instance metadata service (the SDK's
 * metadata_accessor.go handshake) and CCE pod identity, on one loopback listener so that a test passes its URL as
 * `metadata_endpoint` and `podIdentityUrl` as HC_CONTAINER_CREDENTIALS_FULL_URI. Keys go into a TemporaryKeys store
 * the gateway (gateway-auth.ts) shares.
 */

export type AgencyOp = 'metadata-token' | 'metadata-key' | 'pod-identity';

export interface AgencySimulatorOptions {
  readonly host?: string;
  readonly port?: number;
  /** Simulator clock, ms; share it with the CloudDC and IAM simulators. */
  readonly now?: () => number;
  /** Where issued keys go; share it with createGatewayAuth's `temporaryKeys`. Default: a store of its own. */
  readonly keys?: TemporaryKeys;
  /** Lifetime of each key issued; default 6 h. */
  readonly credentialLifetimeMs?: number;
  /** false: the instance has no agency, and the metadata service answers 401 "Please configure Cloud Service Agency first". Default true. */
  readonly agency?: boolean;
  /**
   * The metadata session token: 'required' (default) refuses GET securitykey without a valid one; 'optional' checks
   * one only when sent; 'unsupported' answers the PUT with 404, as an older service does (the SDK then goes on
   * without a token).
   */
  readonly sessionTokens?: 'required' | 'optional' | 'unsupported';
  /** Path of the pod identity endpoint; default /v1/credentials. */
  readonly podIdentityPath?: string;
  /** The Authorization values pod identity accepts (the content of the pod's token file); default none. */
  readonly podIdentityTokens?: readonly string[];
  /** How many recent requests `requests` keeps; default 10,000. */
  readonly maxRecordedRequests?: number;
}

export interface AgencySimulator {
  /** Base URL of the metadata service: what `metadata_endpoint` takes. */
  readonly url: string;
  /** The full pod identity URL: what HC_CONTAINER_CREDENTIALS_FULL_URI takes. */
  readonly podIdentityUrl: string;
  readonly keys: TemporaryKeys;
  /** The most recent requests, oldest first (a copy). */
  readonly requests: Array<ServiceRequest<AgencyOp>>;
  /** Requests per operation since start or the last clearRequests(), answered or not. */
  readonly served: Readonly<Record<AgencyOp, number>>;
  setAgency(agency: boolean): void;
  setCredentialLifetime(ms: number): void;
  setPodIdentityTokens(tokens: readonly string[]): void;
  /** While set, every request of `op` answers with this fault; undefined clears it. */
  setFault(op: AgencyOp, fault: ServiceFault | undefined): void;
  /** The next requests of `op` answer with these faults, one each. */
  queueFaults(op: AgencyOp, faults: readonly ServiceFault[]): void;
  /** Makes every metadata session token issued so far invalid, as when the service restarts. */
  expireSessionTokens(): void;
  clearRequests(): void;
  close(): Promise<void>;
}

export const NO_AGENCY = 'Please configure Cloud Service Agency first';
const TOKEN_PATH = '/meta-data/latest/api/token';
const KEY_PATH = '/openstack/latest/securitykey';
/** The SDK asks for 21600 s, the largest TTL such services take. */
const MAX_TOKEN_TTL_S = 21_600;

// Only the no-agency text is known (metadata_accessor.go); the rest of these bodies are our assumption.
const errorBody = (status: number, message: string): string => JSON.stringify({ error: { code: status, message } });
const defaultBody = (status: number): string => errorBody(status, status >= 500 ? 'Internal Server Error' : 'request refused');

export async function startAgencySimulator(opts: AgencySimulatorOptions = {}): Promise<AgencySimulator> {
  const now = opts.now ?? Date.now;
  const keys = opts.keys ?? createTemporaryKeys(now);
  let lifetime = opts.credentialLifetimeMs ?? 6 * 3_600_000;
  let agency = opts.agency ?? true;
  let podTokens = new Set(opts.podIdentityTokens ?? []);
  const sessionMode = opts.sessionTokens ?? 'required';
  const podPath = opts.podIdentityPath ?? '/v1/credentials';
  if (!podPath.startsWith('/') || podPath === TOKEN_PATH || podPath === KEY_PATH) throw new RangeError('podIdentityPath must be a path of its own');
  const sessions = new Map<string, number>();
  const log = new RequestLog<ServiceRequest<AgencyOp>>(opts.maxRecordedRequests ?? 10_000);
  const faults = new ServiceFaults<AgencyOp>();
  const served: Record<AgencyOp, number> = { 'metadata-token': 0, 'metadata-key': 0, 'pod-identity': 0 };

  const opOf = (method: string, path: string): AgencyOp | undefined => {
    if (path === TOKEN_PATH) return method === 'PUT' ? 'metadata-token' : undefined;
    if (path === KEY_PATH) return method === 'GET' ? 'metadata-key' : undefined;
    return path === podPath && method === 'POST' ? 'pod-identity' : undefined;
  };

  const issue = (res: ServerResponse, source: 'metadata' | 'pod-identity'): void => send(res, 200, credentialDocument(keys.issue(lifetime, source)));

  const handlers: Record<AgencyOp, (req: IncomingMessage, res: ServerResponse, body: string, at: number) => void> = {
    'metadata-token'(req, res, _body, at) {
      if (sessionMode === 'unsupported') return send(res, 404, errorBody(404, 'Not Found'));
      const ttl = Number(header(req, 'x-metadata-token-ttl-seconds'));
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) {
        return send(res, 400, errorBody(400, `X-Metadata-Token-Ttl-Seconds must be an integer 1-${MAX_TOKEN_TTL_S}`));
      }
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, at + ttl * 1000);
      send(res, 200, token, {}, TEXT_TYPE);
    },
    'metadata-key'(req, res, _body, at) {
      const sent = header(req, 'x-metadata-token');
      const valid = sent !== undefined && at < (sessions.get(sent) ?? -Infinity);
      const needed = sessionMode === 'required' || (sessionMode === 'optional' && sent !== undefined);
      if (needed && !valid) return send(res, 401, errorBody(401, 'the metadata token is missing, invalid or expired'));
      if (!agency) return send(res, 401, errorBody(401, NO_AGENCY));
      issue(res, 'metadata');
    },
    'pod-identity'(req, res, body) {
      const sent = header(req, 'authorization');
      if (sent === undefined || sent === '') return send(res, 401, errorBody(401, 'the Authorization header is missing'));
      if (!podTokens.has(sent)) return send(res, 403, errorBody(403, 'the authorization token is not valid'));
      if (obj(parseJson(body)) === undefined) return send(res, 400, errorBody(400, 'the body must be a JSON object'));
      issue(res, 'pod-identity');
    },
  };

  const listening = await listen(opts.host, opts.port, (req, res, body) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const op = opOf(method, path);
    const at = now();
    log.push({ method, path: req.url ?? '/', headers: req.headers, body, at, ...(op && { op }) });
    if (op === undefined) return send(res, 404, errorBody(404, 'Not Found'));
    served[op]++;
    const fault = faults.take(op);
    if (fault !== undefined) return serveServiceFault(res, fault, at, defaultBody);
    handlers[op](req, res, body, at);
  });

  return {
    url: listening.url,
    podIdentityUrl: listening.url + podPath,
    keys,
    get requests() {
      return log.snapshot();
    },
    get served() {
      return { ...served };
    },
    setAgency(a) {
      agency = a;
    },
    setCredentialLifetime(ms) {
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('credential lifetime must be a finite number of ms > 0');
      lifetime = ms;
    },
    setPodIdentityTokens(tokens) {
      podTokens = new Set(tokens);
    },
    setFault: (op, f) => faults.set(op, f),
    queueFaults: (op, list) => faults.queue(op, list),
    expireSessionTokens: () => sessions.clear(),
    clearRequests() {
      log.clear();
      for (const op of Object.keys(served) as AgencyOp[]) served[op] = 0;
    },
    close: () => listening.close(),
  };
}
