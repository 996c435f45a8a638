import { resolve } from 'node:path';
import type { AuthSettings } from '../domain/config.js';
import { Secret } from '../domain/secret.js';
import { AUTH_KINDS, AUTH_METHODS } from '../clouddc/auth/methods.js';
import type { AuthField, AuthKind } from './auth-method.js';
import type { RawAuth } from './schema.js';
import { problem, type Path, type Problem } from './problems.js';

export { ENV_AK, ENV_SK } from './auth-aksk.js';
export { envValue } from './auth-method.js';

/** "exactly one of token, token_file, access_key, user_name must be set", from the registry. */
export const EXACTLY_ONE_METHOD = `exactly one of ${AUTH_KINDS.flatMap((k) => AUTH_METHODS[k].named).join(', ')} must be set`;

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

/** The method the keys name; extras alone (security_token, domain_name, ...) name nothing. */
function chooseMethod(a: RawAuth, env: NodeJS.ProcessEnv): AuthKind | undefined {
  const has = (f: AuthField) => a[f] !== undefined;
  // Each key of "exactly one of ..." counts on its own (token and token_file together are two choices).
  const named = AUTH_KINDS.flatMap((k) => {
    const m = AUTH_METHODS[k];
    const keys = m.named.filter(has).length;
    return Array<AuthKind>(keys > 0 ? keys : m.selectors.some(has) ? 1 : 0).fill(k);
  });
  if (named.length === 1) return named[0];
  if (named.length > 0) return undefined;
  const byEnv = AUTH_KINDS.filter((k) => AUTH_METHODS[k].chosenByEnv?.(env) === true);
  return byEnv.length === 1 ? byEnv[0] : undefined;
}

/** Picks the authentication method of one account and lets its module validate the block. */
export function resolveAuth(raw: RawAuth | undefined, region: string | undefined, path: Path, ctx: BuildContext): AuthResult {
  const a: RawAuth = raw ?? {};
  const problems: Problem[] = [];
  const files: SecretFileRef[] = [];
  const kind = chooseMethod(a, ctx.env);
  if (kind === undefined) return { problems: [problem(path, EXACTLY_ONE_METHOD)], files };
  const method = AUTH_METHODS[kind];
  for (const other of AUTH_KINDS) {
    if (other === kind) continue;
    for (const field of AUTH_METHODS[other].fields) {
      if (a[field] !== undefined) problems.push(problem([...path, field], `only valid with ${AUTH_METHODS[other].description}`));
    }
  }
  const auth = method.resolve({
    raw: a,
    region,
    env: ctx.env,
    problem: (field, message) => problems.push(problem(field === undefined ? path : [...path, field], message)),
    secret(inline, fileField, fallback, missing) {
      const value = a[inline];
      const file = a[fileField];
      if (value !== undefined && file !== undefined) {
        problems.push(problem(path, `only one of ${inline}, ${fileField} may be set`));
        return undefined;
      }
      if (value instanceof Secret) return { kind: 'inline', value };
      if (typeof file === 'string') {
        const absolute = resolve(ctx.baseDir, file);
        files.push({ path: [...path, fileField], file: absolute });
        return { kind: 'file', path: absolute };
      }
      const fallen = fallback();
      if (fallen === undefined) problems.push(problem([...path, inline], missing));
      return fallen;
    },
  });
  return problems.length > 0 ? { problems, files } : { auth, problems, files };
}
