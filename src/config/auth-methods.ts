import type { z } from 'zod';
import { AUTH_KINDS, type AuthKind } from '../domain/auth.js';
import { AKSK_CONFIG } from './auth-aksk.js';
import type { AnyAuthConfigMethod } from './auth-method.js';
import { METADATA_CONFIG } from './auth-metadata.js';
import { OIDC_CONFIG } from './auth-oidc.js';
import { PASSWORD_CONFIG } from './auth-password.js';
import { POD_IDENTITY_CONFIG } from './auth-pod-identity.js';
import { PROFILE_CONFIG } from './auth-profile.js';
import { TOKEN_CONFIG } from './auth-token.js';
import { strict } from './fields.js';

/**
 * The config half of every authentication method, by name: one per kind of settings, plus `profile`, which
 * resolves to one of them. The type makes the list complete: a new variant of AuthSettings does not compile until
 * its module is listed here. The `auth:` schema, the choice of method, the default chain and the "only valid with"
 * and "exactly one of" errors all read this list.
 */
export const AUTH_CONFIG = {
  token: TOKEN_CONFIG,
  aksk: AKSK_CONFIG,
  password: PASSWORD_CONFIG,
  oidc: OIDC_CONFIG,
  pod_identity: POD_IDENTITY_CONFIG,
  metadata: METADATA_CONFIG,
  profile: PROFILE_CONFIG,
} as const satisfies { readonly [K in AuthKind]: AnyAuthConfigMethod<K> } & { readonly profile: AnyAuthConfigMethod<'aksk' | 'oidc', 'profile'> };

export type AuthMethodName = keyof typeof AUTH_CONFIG;
export const AUTH_METHOD_NAMES: readonly AuthMethodName[] = [...AUTH_KINDS, 'profile'];

/**
 * With no key naming a method: environment AK/SK, environment OIDC, pod identity, then the profile file. Never the
 * instance metadata address: from a machine without one a request to it hangs until its timeout, and an
 * exporter should not reach for a link-local address nobody asked it to use.
 */
export const DEFAULT_CHAIN: readonly AuthMethodName[] = ['aksk', 'oidc', 'pod_identity', 'profile'];

type Configs = typeof AUTH_CONFIG;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type MergedShape = UnionToIntersection<Configs[AuthMethodName]['shape']>;

/** The method's keys, in its fragment's order. */
export function fieldsOf(name: AuthMethodName): string[] {
  return Object.keys(AUTH_CONFIG[name].shape);
}

/**
 * Every key of every method, each optional: which method is meant, and what it then requires, depends on the
 * environment (HUAWEICLOUD_SDK_AK/SK, the profile file) and is decided in auth.ts.
 */
export const authSchema = strict(Object.assign({}, ...AUTH_METHOD_NAMES.map((k) => AUTH_CONFIG[k].shape)) as MergedShape);
export type RawAuth = z.output<typeof authSchema>;

/** "exactly one of token, token_file, access_key, user_name, credentials_file must be set". */
export const EXACTLY_ONE_METHOD = `exactly one of ${AUTH_METHOD_NAMES.flatMap((k) => AUTH_CONFIG[k].named).join(', ')} must be set`;
