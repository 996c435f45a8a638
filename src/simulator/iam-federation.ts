import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, iamTime, keystoneError, obj, parseJson, send, str } from './http-util.js';
import type { TemporaryKeys } from './temp-keys.js';
import { credentialDocument } from './temp-keys.js';

/**
 * IAM's two federation calls, as the SDK's iam_helper.go makes them: POST /v3.0/OS-AUTH/id-token/tokens (an OIDC
 * id token for an IAM token in X-Subject-Token) and POST /v3.0/OS-CREDENTIAL/securitytokens (a token for a
 * temporary AK/SK + security token).
 */

export const ID_TOKEN_PATH = '/v3.0/OS-AUTH/id-token/tokens';
export const SECURITY_TOKEN_PATH = '/v3.0/OS-CREDENTIAL/securitytokens';

export interface IdentityProvider {
  readonly id: string;
  /** The id tokens this provider's (simulated) signature check accepts. */
  readonly idTokens: readonly string[];
}

export interface FederationContext {
  readonly keys: TemporaryKeys;
  readonly idps: Map<string, Set<string>>;
  /** Mints an IAM token living the IAM token lifetime; returns it and its expiry. */
  readonly mintToken: () => { token: string; expiresAt: number };
  readonly checkToken: (token: string, now: number) => 'valid' | 'expired' | 'revoked' | 'unknown';
  /** When set, overrides duration_seconds. */
  readonly credentialLifetimeMs: () => number | undefined;
}

/** IAM's documented bounds for duration_seconds; 900 when absent. */
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 86_400;

const bad = (res: ServerResponse, message: string): void => send(res, 400, keystoneError(400, 'Bad Request', message));

export function createTokenWithIdToken(ctx: FederationContext, req: IncomingMessage, res: ServerResponse, text: string, now: number): void {
  const idpId = header(req, 'x-idp-id');
  if (idpId === undefined || idpId === '') return bad(res, 'The request header X-Idp-Id is missing.');
  const auth = obj(obj(parseJson(text))?.auth);
  const idToken = str(obj(auth?.id_token)?.id);
  if (idToken === undefined || idToken === '') return bad(res, 'The request body is invalid.');
  const scope = parseScope(auth?.scope);
  if (scope === 'invalid') return bad(res, 'The request body is invalid.');
  const accepted = ctx.idps.get(idpId);
  if (accepted === undefined) return send(res, 404, keystoneError(404, 'Not Found', `Could not find Identity Provider: ${idpId}.`));
  if (!accepted.has(idToken))
    return send(res, 401, keystoneError(401, 'Unauthorized', 'The id token is invalid or does not belong to this identity provider.'));
  const { token, expiresAt } = ctx.mintToken();
  const domain = { id: 'f2f4cbd6c4a34d5e8a1b2c3d4e5f6a7b', name: 'sim-domain' };
  const body = JSON.stringify({
    token: {
      expires_at: iamTime(expiresAt),
      issued_at: iamTime(now),
      methods: ['mapped'],
      user: {
        'OS-FEDERATION': { identity_provider: { id: idpId }, protocol: { id: 'oidc' }, groups: [] },
        domain,
        id: randomBytes(16).toString('hex'),
        name: `FederationUser-${idpId}`,
      },
      roles: [],
      catalog: [],
      ...(scope?.project && { project: { ...scope.project, domain } }),
      ...(scope?.domain && { domain: scope.domain }),
    },
  });
  // The SDK insists on X-Request-Id as well as X-Subject-Token.
  send(res, 201, body, { 'x-subject-token': token, 'x-request-id': randomBytes(16).toString('hex') });
}

export function createTemporaryAccessKey(ctx: FederationContext, req: IncomingMessage, res: ServerResponse, text: string, now: number): void {
  const identity = obj(obj(obj(parseJson(text))?.auth)?.identity);
  const methods = identity?.methods;
  if (!Array.isArray(methods) || !methods.includes('token')) return bad(res, 'The request body is invalid.');
  const tokenBody = obj(identity?.token);
  // IAM takes the token from the body or, failing that, from X-Auth-Token.
  const token = str(tokenBody?.id) ?? header(req, 'x-auth-token');
  const duration = tokenBody?.duration_seconds ?? MIN_DURATION_S;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < MIN_DURATION_S || duration > MAX_DURATION_S) {
    return bad(res, `duration_seconds must be an integer ${MIN_DURATION_S}-${MAX_DURATION_S}.`);
  }
  if (token === undefined || ctx.checkToken(token, now) !== 'valid') {
    return send(res, 401, keystoneError(401, 'Unauthorized', 'The request you have made requires authentication.'));
  }
  const key = ctx.keys.issue(ctx.credentialLifetimeMs() ?? duration * 1000, 'iam');
  send(res, 201, credentialDocument(key));
}

type Scope = { project?: Record<string, string>; domain?: Record<string, string> } | undefined | 'invalid';

/** Absent (the SDK's unscoped request), or a project or domain by id or name. */
function parseScope(v: unknown): Scope {
  if (v === undefined) return undefined;
  const scope = obj(v);
  const pick = (o: unknown): Record<string, string> | undefined => {
    const id = str(obj(o)?.id);
    const name = str(obj(o)?.name);
    return id !== undefined ? { id } : name !== undefined ? { name } : undefined;
  };
  const project = pick(scope?.project);
  const domain = pick(scope?.domain);
  if ((project === undefined) === (domain === undefined)) return 'invalid';
  return project !== undefined ? { project } : { domain: domain ?? {} };
}
