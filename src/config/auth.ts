import { resolve } from 'node:path';
import { AUTH_KINDS, type AuthKind } from '../domain/auth.js';
import type { AuthSettings, SecretSource } from '../domain/config.js';
import { Secret } from '../domain/secret.js';
import { AUTH_CONFIG, EXACTLY_ONE_METHOD, fieldsOf, type RawAuth } from './auth-methods.js';
import type { AnyAuthConfigMethod, ResolveContext } from './auth-method.js';
import { problem, type Path, type Problem } from './problems.js';

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

type Raw = Readonly<Record<string, unknown>>;

/** The method the keys name; extras alone (security_token, domain_name, ...) name nothing. */
function chooseMethod(a: Raw, env: NodeJS.ProcessEnv): AuthKind | undefined {
  const has = (f: string) => a[f] !== undefined;
  // Each key of "exactly one of ..." counts on its own (token and token_file together are two choices).
  const named = AUTH_KINDS.flatMap((k) => {
    const m = AUTH_CONFIG[k];
    const keys = m.named.filter(has).length;
    return Array<AuthKind>(keys > 0 ? keys : m.selectors.some(has) ? 1 : 0).fill(k);
  });
  if (named.length === 1) return named[0];
  if (named.length > 0) return undefined;
  const byEnv = AUTH_KINDS.filter((k) => (AUTH_CONFIG[k] as AnyAuthConfigMethod<AuthKind>).chosenByEnv?.(env) === true);
  return byEnv.length === 1 ? byEnv[0] : undefined;
}

/** Picks the authentication method of one account and lets its module validate the block. */
export function resolveAuth(raw: RawAuth | undefined, region: string | undefined, path: Path, ctx: BuildContext): AuthResult {
  const a: Raw = raw ?? {};
  const problems: Problem[] = [];
  const files: SecretFileRef[] = [];
  const kind = chooseMethod(a, ctx.env);
  if (kind === undefined) return { problems: [problem(path, EXACTLY_ONE_METHOD)], files };
  for (const other of AUTH_KINDS) {
    if (other === kind) continue;
    for (const field of fieldsOf(other)) {
      if (a[field] !== undefined) problems.push(problem([...path, field], `only valid with ${AUTH_CONFIG[other].description}`));
    }
  }
  const context: ResolveContext<Raw> = {
    raw: a,
    region,
    env: ctx.env,
    problem: (field, message) => problems.push(problem(field === undefined ? path : [...path, field], message)),
    secret(inline, fileField, fallback, missing): SecretSource | undefined {
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
  };
  // Each method's resolve() is typed by its own fragment, which the strict authSchema has already checked.
  const method = AUTH_CONFIG[kind] as { resolve(ctx: ResolveContext<Raw>): AuthSettings | undefined };
  const auth = method.resolve(context);
  return problems.length > 0 ? { problems, files } : { auth, problems, files };
}
