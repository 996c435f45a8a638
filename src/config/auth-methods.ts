import type { z } from 'zod';
import { AUTH_KINDS, type AuthKind } from '../domain/auth.js';
import { AKSK_CONFIG } from './auth-aksk.js';
import type { AnyAuthConfigMethod } from './auth-method.js';
import { PASSWORD_CONFIG } from './auth-password.js';
import { TOKEN_CONFIG } from './auth-token.js';
import { strict } from './fields.js';

/**
 * The config half of every authentication method, by kind. The type makes the list complete: a new variant of
 * AuthSettings does not compile until its module is listed here. The `auth:` schema, the choice of method and
 * the "only valid with" and "exactly one of" errors all read this list.
 */
export const AUTH_CONFIG = {
  token: TOKEN_CONFIG,
  aksk: AKSK_CONFIG,
  password: PASSWORD_CONFIG,
} as const satisfies { readonly [K in AuthKind]: AnyAuthConfigMethod<K> };

type Configs = typeof AUTH_CONFIG;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type MergedShape = UnionToIntersection<Configs[AuthKind]['shape']>;

/** The method's keys, in its fragment's order. */
export function fieldsOf(kind: AuthKind): string[] {
  return Object.keys(AUTH_CONFIG[kind].shape);
}

/**
 * Every key of every method, each optional: which method is meant, and what it then requires, depends on the
 * environment (HUAWEICLOUD_SDK_AK/SK) and is decided in auth.ts.
 */
export const authSchema = strict(Object.assign({}, ...AUTH_KINDS.map((k) => AUTH_CONFIG[k].shape)) as MergedShape);
export type RawAuth = z.output<typeof authSchema>;

/** "exactly one of token, token_file, access_key, user_name must be set". */
export const EXACTLY_ONE_METHOD = `exactly one of ${AUTH_KINDS.flatMap((k) => AUTH_CONFIG[k].named).join(', ')} must be set`;
