import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { iamTime, keystoneError, listen, send } from './http-util.js';
import { passwordToken, type IamUser } from './iam-password.js';
import { createTemporaryAccessKey, createTokenWithIdToken, ID_TOKEN_PATH, SECURITY_TOKEN_PATH, type IdentityProvider } from './iam-federation.js';
import { RequestLog } from './recorder.js';
import { serveServiceFault, ServiceFaults, type ServiceFault, type ServiceRequest } from './service-faults.js';
import { createTemporaryKeys, type TemporaryKeys } from './temp-keys.js';

export { iamTime };
export type { IdentityProvider, IamUser };

/**
 * IAM on its own small server, so the CloudDC simulator stays unchanged: POST /v3/auth/tokens
 * (docs/clouddc-api.md#iam-token) and the two federation calls of iam-federation.ts. Tokens live `tokenLifetimeMs`
 * on the simulator clock and can be revoked; gateway-auth.ts asks `check` whether a token may pass.
 */

export type IamOp = 'password-token' | 'id-token' | 'security-token';

export interface IamSimulatorOptions {
  /** Password users; default none. */
  readonly users?: readonly IamUser[];
  /** Default 24 h, like IAM; federated tokens too. */
  readonly tokenLifetimeMs?: number;
  /** Simulator clock, ms; share it with the CloudDC simulator. */
  readonly now?: () => number;
  readonly host?: string;
  readonly port?: number;
  /** OIDC identity providers for POST /v3.0/OS-AUTH/id-token/tokens; default none. */
  readonly identityProviders?: readonly IdentityProvider[];
  /** Where securitytokens keys go; share it with createGatewayAuth's `temporaryKeys`. Default: a store of its own. */
  readonly keys?: TemporaryKeys;
  /** When set, the lifetime of every temporary key, whatever duration_seconds asks for. */
  readonly credentialLifetimeMs?: number;
  /** How many recent requests `requests` keeps; default 10,000. */
  readonly maxRecordedRequests?: number;
}

export type TokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

export interface IamSimulator {
  /** Base URL ending in /v3, as `auth_url` expects. */
  readonly url: string;
  /** Base URL without a path, as `iam_endpoint` (and HUAWEICLOUD_SDK_IAM_ENDPOINT) expects. */
  readonly endpoint: string;
  /** POST /v3/auth/tokens requests received, answered or not. */
  readonly requestCount: number;
  /** Every request, any path, oldest first (a copy). */
  readonly requests: Array<ServiceRequest<IamOp>>;
  /** Requests per operation since start or the last clearRequests(), answered or not. */
  readonly served: Readonly<Record<IamOp, number>>;
  /** Every token issued, password and federated, oldest first (for leak tests). */
  readonly issued: readonly string[];
  /** The scope of each password token request, in order: `{id}` or `{name}`. */
  readonly scopes: ReadonlyArray<Record<string, string>>;
  /** Temporary keys from securitytokens (and whatever else shares the store). */
  readonly keys: TemporaryKeys;
  setTokenLifetime(ms: number): void;
  /** When set, the lifetime of every temporary key issued from now on; undefined: duration_seconds decides. */
  setCredentialLifetime(ms: number | undefined): void;
  /** Replaces the id tokens an identity provider accepts (adding the provider if new), as when the issuer rotates. */
  setIdTokens(idpId: string, idTokens: readonly string[]): void;
  /** While true, token requests are never answered (a timeout for the client). */
  setHang(hang: boolean): void;
  /** While set, every request of `op` answers with this fault; undefined clears it. */
  setFault(op: IamOp, fault: ServiceFault | undefined): void;
  /** The next requests of `op` answer with these faults, one each. */
  queueFaults(op: IamOp, faults: readonly ServiceFault[]): void;
  revoke(token: string): void;
  revokeAll(): void;
  check(token: string, now: number): TokenState;
  clearRequests(): void;
  close(): Promise<void>;
}

interface Issued {
  readonly expiresAt: number;
  revoked: boolean;
}

const PASSWORD_PATH = '/v3/auth/tokens';
const OPS: Record<string, IamOp> = { [PASSWORD_PATH]: 'password-token', [ID_TOKEN_PATH]: 'id-token', [SECURITY_TOKEN_PATH]: 'security-token' };
const defaultBody = (status: number): string =>
  status >= 500
    ? keystoneError(status, 'Internal Server Error', 'An unexpected error prevented the server from fulfilling your request.')
    : keystoneError(status, 'Error', 'request refused');

export async function startIamSimulator(opts: IamSimulatorOptions = {}): Promise<IamSimulator> {
  const now = opts.now ?? Date.now;
  const users = opts.users ?? [];
  const keys = opts.keys ?? createTemporaryKeys(now);
  let lifetime = opts.tokenLifetimeMs ?? 24 * 3_600_000;
  let credentialLifetime = opts.credentialLifetimeMs;
  let hang = false;
  let requestCount = 0;
  const tokens = new Map<string, Issued>();
  const issued: string[] = [];
  const scopes: Array<Record<string, string>> = [];
  const idps = new Map((opts.identityProviders ?? []).map((p) => [p.id, new Set(p.idTokens)]));
  const log = new RequestLog<ServiceRequest<IamOp>>(opts.maxRecordedRequests ?? 10_000);
  const faults = new ServiceFaults<IamOp>();
  const served: Record<IamOp, number> = { 'password-token': 0, 'id-token': 0, 'security-token': 0 };

  const mintToken = (): { token: string; expiresAt: number } => {
    const expiresAt = now() + lifetime;
    const token = `MII${randomBytes(48).toString('base64url')}`;
    tokens.set(token, { expiresAt, revoked: false });
    issued.push(token);
    return { token, expiresAt };
  };
  const check = (token: string, at: number): TokenState => {
    const t = tokens.get(token);
    if (t === undefined) return 'unknown';
    if (t.revoked) return 'revoked';
    return at < t.expiresAt ? 'valid' : 'expired';
  };
  const federation = { keys, idps, mintToken, checkToken: check, credentialLifetimeMs: () => credentialLifetime };

  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const op = req.method === 'POST' ? OPS[path] : undefined;
    const at = now();
    log.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: text, at, ...(op && { op }) });
    if (op === undefined) return send(res, 404, keystoneError(404, 'Not Found', 'The resource could not be found.'));
    served[op]++;
    if (op === 'password-token') requestCount++;
    if (hang) return;
    const fault = faults.take(op);
    if (fault !== undefined) return serveServiceFault(res, fault, at, defaultBody);
    if (op === 'password-token') return passwordToken({ users, mintToken, scopes, now }, res, text);
    if (op === 'id-token') return createTokenWithIdToken(federation, req, res, text, at);
    createTemporaryAccessKey(federation, req, res, text, at);
  };

  const listening = await listen(opts.host, opts.port, handle);

  return {
    url: `${listening.url}/v3`,
    endpoint: listening.url,
    get requestCount() {
      return requestCount;
    },
    get requests() {
      return log.snapshot();
    },
    get served() {
      return { ...served };
    },
    get issued() {
      return issued.slice();
    },
    get scopes() {
      return scopes.slice();
    },
    keys,
    setTokenLifetime(ms) {
      lifetime = ms;
    },
    setCredentialLifetime(ms) {
      credentialLifetime = ms;
    },
    setIdTokens(idpId, list) {
      idps.set(idpId, new Set(list));
    },
    setHang(h) {
      hang = h;
    },
    setFault: (op, f) => faults.set(op, f),
    queueFaults: (op, list) => faults.queue(op, list),
    revoke(token) {
      const t = tokens.get(token);
      if (t) t.revoked = true;
    },
    revokeAll() {
      for (const t of tokens.values()) t.revoked = true;
    },
    check,
    clearRequests() {
      log.clear();
      for (const op of Object.keys(served) as IamOp[]) served[op] = 0;
    },
    close: () => listening.close(),
  };
}
