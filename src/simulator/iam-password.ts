import type { ServerResponse } from 'node:http';
import { iamTime, keystoneError, obj, send, str } from './http-util.js';

/** IAM's POST /v3/auth/tokens with the password method (docs/clouddc-api.md#iam-token). */

export interface IamUser {
  readonly domainName: string;
  readonly userName: string;
  readonly password: string;
}

export interface PasswordContext {
  readonly users: readonly IamUser[];
  readonly mintToken: () => { token: string; expiresAt: number };
  /** Each request's scope is appended. */
  readonly scopes: Array<Record<string, string>>;
  readonly now: () => number;
}

export function passwordToken(ctx: PasswordContext, res: ServerResponse, text: string): void {
  const { users, mintToken, scopes, now } = ctx;
  const auth = parseAuth(text);
  if (auth === undefined) return send(res, 400, keystoneError(400, 'Bad Request', 'The request body is invalid.'));
  const user = users.find((u) => u.userName === auth.user && u.domainName === auth.domain);
  if (user === undefined || user.password !== auth.password) {
    return send(res, 401, keystoneError(401, 'Unauthorized', 'The username or password is wrong.'));
  }
  const issuedAt = now();
  const { token, expiresAt } = mintToken();
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
  send(res, 201, body, { 'x-subject-token': token });
}

interface ParsedAuth {
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  readonly scope: Record<string, string>;
}

/** Only the password method with a project scope, which is all the exporter sends. */
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
