import { resolve } from 'node:path';
import type { AuthSettings, SecretSource } from '../domain/config.js';
import { Secret } from '../domain/secret.js';
import { DEFAULTS, type RawAuth } from './schema.js';
import { problem, type Path, type Problem } from './problems.js';

/**
 * Picks the authentication method of one account and fills it in. The environment variables are the ones the
 * official Huawei SDKs read, so credentials that already work with hcloud/the SDKs work here unchanged.
 */

export const ENV_AK = 'HUAWEICLOUD_SDK_AK';
export const ENV_SK = 'HUAWEICLOUD_SDK_SK';
export const EXACTLY_ONE_METHOD = 'exactly one of token, token_file, access_key, user_name must be set';

export interface BuildContext {
  readonly env: NodeJS.ProcessEnv;
  /** Relative *_file paths are taken relative to this directory (the config file's). */
  readonly baseDir: string;
}

/** A secret file the model refers to, with the config path that named it, for the readability check. */
export interface SecretFileRef {
  readonly path: Path;
  readonly file: string;
}

export interface AuthResult {
  readonly auth?: AuthSettings;
  readonly problems: Problem[];
  readonly files: SecretFileRef[];
}

type Method = AuthSettings['kind'];
type Field = keyof RawAuth;

const OWNED: Readonly<Record<Method, readonly Field[]>> = {
  token: ['token', 'token_file'],
  aksk: ['access_key', 'secret_key', 'secret_key_file', 'security_token'],
  password: ['user_name', 'password', 'password_file', 'domain_name', 'auth_url', 'project_name', 'refresh_before'],
};

const DESCRIBED: Readonly<Record<Method, string>> = {
  token: 'token authentication (token, token_file)',
  aksk: 'AK/SK authentication (access_key)',
  password: 'password authentication (user_name)',
};

/** An empty variable is treated as unset, as a shell `export X=` usually means "no value". */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The method the fields name; security_token and the password extras alone name nothing. */
function chooseMethod(a: RawAuth, env: NodeJS.ProcessEnv): Method | undefined {
  const has = (f: Field) => a[f] !== undefined;
  const named: Method[] = [];
  if (has('token')) named.push('token');
  if (has('token_file')) named.push('token');
  if (has('access_key') || has('secret_key') || has('secret_key_file')) named.push('aksk');
  if (has('user_name') || has('password') || has('password_file')) named.push('password');
  if (named.length === 1) return named[0];
  if (named.length === 0 && envValue(env, ENV_AK) !== undefined && envValue(env, ENV_SK) !== undefined) return 'aksk';
  return undefined;
}

export function resolveAuth(
  raw: RawAuth | undefined,
  region: string | undefined,
  path: Path,
  ctx: BuildContext,
): AuthResult {
  const a: RawAuth = raw ?? {};
  const problems: Problem[] = [];
  const files: SecretFileRef[] = [];
  const method = chooseMethod(a, ctx.env);
  if (method === undefined) return { problems: [problem(path, EXACTLY_ONE_METHOD)], files };

  for (const other of ['token', 'aksk', 'password'] as const) {
    if (other === method) continue;
    for (const field of OWNED[other]) {
      if (a[field] !== undefined) problems.push(problem([...path, field], `only valid with ${DESCRIBED[other]}`));
    }
  }

  const fromFile = (field: Field, file: string): SecretSource => {
    const absolute = resolve(ctx.baseDir, file);
    files.push({ path: [...path, field], file: absolute });
    return { kind: 'file', path: absolute };
  };
  /** The inline or the file form of one secret; `fallback` covers neither being given. */
  const secret = (inline: Field, fileField: Field, fallback: () => SecretSource | undefined, missing: string) => {
    const value = a[inline];
    const file = a[fileField];
    if (value !== undefined && file !== undefined) {
      problems.push(problem(path, `only one of ${inline}, ${fileField} may be set`));
      return undefined;
    }
    if (value instanceof Secret) return { kind: 'inline', value } as const;
    if (typeof file === 'string') return fromFile(fileField, file);
    const fallen = fallback();
    if (fallen === undefined) problems.push(problem([...path, inline], missing));
    return fallen;
  };

  let auth: AuthSettings | undefined;
  switch (method) {
    case 'token': {
      const token = secret('token', 'token_file', () => undefined, 'required');
      // Sent as a header as it is (after trimming): a line break or other control character would fail every poll.
      if (token?.kind === 'inline' && !/^[\x21-\x7e]+$/.test(token.value.reveal().trim())) {
        problems.push(problem([...path, 'token'], 'must be one line of visible ASCII characters (it is sent as an HTTP header)'));
      } else if (token) auth = { kind: 'token', token };
      break;
    }
    case 'aksk': {
      const accessKey = a.access_key ?? envValue(ctx.env, ENV_AK);
      if (accessKey === undefined) {
        problems.push(problem([...path, 'access_key'], `required (or set the ${ENV_AK} environment variable)`));
      }
      const sk = envValue(ctx.env, ENV_SK);
      const secretKey = secret(
        'secret_key',
        'secret_key_file',
        () => (sk === undefined ? undefined : { kind: 'inline', value: new Secret(sk) }),
        `required (set secret_key or secret_key_file, or the ${ENV_SK} environment variable)`,
      );
      if (accessKey !== undefined && secretKey) {
        auth = { kind: 'aksk', accessKey, secretKey, ...(a.security_token && { securityToken: a.security_token }) };
      }
      break;
    }
    case 'password': {
      const userName = a.user_name;
      if (userName === undefined) {
        problems.push(problem([...path, 'user_name'], 'required with password or password_file'));
      }
      const password = secret('password', 'password_file', () => undefined, 'required (set password or password_file)');
      const domainName = a.domain_name;
      if (domainName === undefined) {
        problems.push(problem([...path, 'domain_name'], 'required for password authentication'));
      }
      const authUrl = a.auth_url ?? (region === undefined ? undefined : `https://iam.${region}.myhuaweicloud.com/v3`);
      if (authUrl === undefined) {
        problems.push(problem([...path, 'auth_url'], 'required when the account has no region'));
      } else if (a.auth_url !== undefined && !authUrl.endsWith('/v3')) {
        const example = 'https://iam.cn-east-3.myhuaweicloud.com/v3';
        problems.push(problem([...path, 'auth_url'], `must end in /v3, e.g. ${example}`));
      }
      if (userName !== undefined && password && domainName !== undefined && authUrl !== undefined) {
        auth = {
          kind: 'password',
          userName,
          password,
          domainName,
          authUrl,
          ...(a.project_name !== undefined && { projectName: a.project_name }),
          refreshBeforeMs: a.refresh_before ?? DEFAULTS.refreshBeforeMs,
        };
      }
      break;
    }
  }
  return problems.length > 0 ? { problems, files } : { auth, problems, files };
}
