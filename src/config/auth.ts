import { resolve } from 'node:path';
import type { AuthKind } from '../domain/auth.js';
import type { AuthSettings, SecretSource } from '../domain/config.js';
import { Secret } from '../domain/secret.js';
import { AUTH_CONFIG, AUTH_METHOD_NAMES, DEFAULT_CHAIN, EXACTLY_ONE_METHOD, fieldsOf, type AuthMethodName, type RawAuth } from './auth-methods.js';
import type { AnyAuthConfigMethod, ReadConfigFile, ResolveContext, Surroundings } from './auth-method.js';
import { problem, type Path, type Problem } from './problems.js';

export interface BuildContext {
  readonly env: NodeJS.ProcessEnv;
  /** Relative *_file paths are taken relative to this directory (the config file's). */
  readonly baseDir: string;
  /** The profile file is read at load; parseConfig reads no files unless given this. */
  readonly readFile?: ReadConfigFile;
}

const NO_FILES: ReadConfigFile = () => ({ ok: false, reason: 'not read (no file reader given)' });

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

type Choice = { readonly method: AuthMethodName } | { readonly problem: string };

/** The method the keys name; extras alone (security_token, domain_name, ...) name nothing. */
function chooseMethod(a: Raw, around: Surroundings): Choice {
  const has = (f: string) => a[f] !== undefined;
  // Each key of "exactly one of ..." counts on its own (token and token_file together are two choices).
  const named = AUTH_METHOD_NAMES.flatMap((k) => {
    const m = AUTH_CONFIG[k];
    const keys = m.named.filter(has).length;
    return Array<AuthMethodName>(keys > 0 ? keys : m.selectors.some(has) ? 1 : 0).fill(k);
  });
  if (named.length === 1 && named[0] !== undefined) return { method: named[0] };
  if (named.length > 0) return { problem: EXACTLY_ONE_METHOD };
  const tried: string[] = [];
  for (const name of DEFAULT_CHAIN) {
    const found = (AUTH_CONFIG[name] as AnyAuthConfigMethod<AuthKind, string>).fromDefaults?.(around);
    if (found === true) return { method: name };
    if (found !== undefined) tried.push(found);
  }
  const names = EXACTLY_ONE_METHOD.replace(/^exactly one of (.*) must be set$/, '$1');
  return { problem: `no credentials found: set one of ${names}; tried ${tried.join(', ')} (instance metadata is never tried unasked)` };
}

/** Picks the authentication method of one account and lets its module validate the block. */
export function resolveAuth(raw: RawAuth | undefined, region: string | undefined, path: Path, ctx: BuildContext): AuthResult {
  const a: Raw = raw ?? {};
  const problems: Problem[] = [];
  const files: SecretFileRef[] = [];
  const around: Surroundings = { env: ctx.env, baseDir: ctx.baseDir, readFile: ctx.readFile ?? NO_FILES };
  const choice = chooseMethod(a, around);
  if ('problem' in choice) return { problems: [problem(path, choice.problem)], files };
  const kind = choice.method;
  for (const other of AUTH_METHOD_NAMES) {
    if (other === kind) continue;
    for (const field of fieldsOf(other)) {
      if (a[field] !== undefined) problems.push(problem([...path, field], `only valid with ${AUTH_CONFIG[other].description}`));
    }
  }
  const at = (field: string | undefined): Path => (field === undefined ? path : [...path, field]);
  const context: ResolveContext<Raw> = {
    ...around,
    raw: a,
    region,
    problem: (field, message) => problems.push(problem(at(field), message)),
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
    secretFile(field, absolutePath) {
      files.push({ path: at(field), file: absolutePath });
      return { kind: 'file', path: absolutePath };
    },
  };
  // Each method's resolve() is typed by its own fragment, which the strict authSchema has already checked.
  const method = AUTH_CONFIG[kind] as { resolve(ctx: ResolveContext<Raw>): AuthSettings | undefined };
  const auth = method.resolve(context);
  return problems.length > 0 ? { problems, files } : { auth, problems, files };
}
