import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_TYPE } from './bodies.js';

/**
 * IAM's POST /v3/auth/tokens (docs/clouddc-api.md#iam-token) on its own small server, so the CloudDC simulator stays
 * unchanged. Tokens live `tokenLifetimeMs` on the simulator clock and can be revoked; gateway-auth.ts asks
 * `check` whether a token may pass.
 */

export interface IamUser {
  readonly domainName: string;
  readonly userName: string;
  readonly password: string;
}

export interface IamSimulatorOptions {
  readonly users: readonly IamUser[];
  /** Default 24 h, like IAM. */
  readonly tokenLifetimeMs?: number;
  /** Simulator clock, ms; share it with the CloudDC simulator. */
  readonly now?: () => number;
  readonly host?: string;
  readonly port?: number;
}

export type TokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

export interface IamSimulator {
  /** Base URL ending in /v3, as `auth_url` expects. */
  readonly url: string;
  /** POST /v3/auth/tokens requests received, answered or not. */
  readonly requestCount: number;
  /** Every token issued, oldest first (for leak tests). */
  readonly issued: readonly string[];
  /** The scope of each token request, in order: `{id}` or `{name}`. */
  readonly scopes: ReadonlyArray<Record<string, string>>;
  setTokenLifetime(ms: number): void;
  /** While true, token requests are never answered (a timeout for the client). */
  setHang(hang: boolean): void;
  revoke(token: string): void;
  revokeAll(): void;
  check(token: string, now: number): TokenState;
  close(): Promise<void>;
}

interface Issued {
  readonly expiresAt: number;
  revoked: boolean;
}

const MAX_BODY = 64 * 1024;

/** IAM writes six fractional digits: 2020-01-04T09:05:22.701000Z. */
export function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function keystoneError(code: number, title: string, message: string): string {
  return JSON.stringify({ error: { code, title, message } });
}

export async function startIamSimulator(opts: IamSimulatorOptions): Promise<IamSimulator> {
  const now = opts.now ?? Date.now;
  let lifetime = opts.tokenLifetimeMs ?? 24 * 3_600_000;
  let hang = false;
  let requestCount = 0;
  const tokens = new Map<string, Issued>();
  const issued: string[] = [];
  const scopes: Array<Record<string, string>> = [];

  const reply = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/v3/auth/tokens') {
      return reply(res, 404, keystoneError(404, 'Not Found', 'The resource could not be found.'));
    }
    requestCount++;
    if (hang) return;
    const auth = parseAuth(text);
    if (auth === undefined) return reply(res, 400, keystoneError(400, 'Bad Request', 'The request body is invalid.'));
    const user = opts.users.find((u) => u.userName === auth.user && u.domainName === auth.domain);
    if (user === undefined || user.password !== auth.password) {
      return reply(res, 401, keystoneError(401, 'Unauthorized', 'The username or password is wrong.'));
    }
    const issuedAt = now();
    const expiresAt = issuedAt + lifetime;
    const token = `MII${randomBytes(48).toString('base64url')}`;
    tokens.set(token, { expiresAt, revoked: false });
    issued.push(token);
    scopes.push(auth.scope);
    const body = JSON.stringify({
      token: {
        expires_at: iamTime(expiresAt),
        issued_at: iamTime(issuedAt),
        methods: ['password'],
        project: { ...auth.scope, domain: { name: auth.domain } },
        user: { name: user.userName, domain: { name: user.domainName } },
        roles: [{ id: '0', name: 'op_service' }],
      },
    });
    reply(res, 201, body, { 'x-subject-token': token });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${address.address}:${address.port}/v3`,
    get requestCount() {
      return requestCount;
    },
    get issued() {
      return issued.slice();
    },
    get scopes() {
      return scopes.slice();
    },
    setTokenLifetime(ms) {
      lifetime = ms;
    },
    setHang(h) {
      hang = h;
    },
    revoke(token) {
      const t = tokens.get(token);
      if (t) t.revoked = true;
    },
    revokeAll() {
      for (const t of tokens.values()) t.revoked = true;
    },
    check(token, at) {
      const t = tokens.get(token);
      if (t === undefined) return 'unknown';
      if (t.revoked) return 'revoked';
      return at < t.expiresAt ? 'valid' : 'expired';
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface ParsedAuth {
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  readonly scope: Record<string, string>;
}

/** Only the password method with a project scope, which is all the exporter sends. */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseAuth(text: string): ParsedAuth | undefined {
  try {
    const auth = obj(obj(JSON.parse(text))?.auth);
    const identity = obj(auth?.identity);
    const user = obj(obj(identity?.password)?.user);
    const project = obj(obj(auth?.scope)?.project);
    const methods = identity?.methods;
    if (!Array.isArray(methods) || !methods.includes('password')) return undefined;
    const [name, password, domain] = [str(user?.name), str(user?.password), str(obj(user?.domain)?.name)];
    if (name === undefined || password === undefined || domain === undefined) return undefined;
    const [id, projectName] = [str(project?.id), str(project?.name)];
    let scope: Record<string, string>;
    if (id !== undefined) scope = { id };
    else if (projectName !== undefined) scope = { name: projectName };
    else return undefined;
    return { user: name, password, domain, scope };
  } catch {
    return undefined;
  }
}
