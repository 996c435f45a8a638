import type { Logger } from 'pino';
import type { Authenticator } from '../clouddc/authenticator.js';
import type { AuthObserver } from '../clouddc/observer.js';
import type { RawAuth } from './schema.js';
import type { AuthSettings, SecretSource } from '../domain/config.js';

export type AuthKind = AuthSettings['kind'];
export type AuthField = keyof RawAuth;
export type SettingsOf<K extends AuthKind> = Extract<AuthSettings, { kind: K }>;

/** What a method's resolve() gets: the account's `auth:` block and a way to report problems. */
export interface ResolveContext {
  readonly raw: RawAuth;
  /** The account's region, if any (password authentication derives its IAM URL from it). */
  readonly region: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Records `path.auth.field: message` (the block itself when `field` is undefined). */
  problem(field: AuthField | undefined, message: string): void;
  /**
   * The inline or the file form of one secret: `inline` holds a Secret, `file` a path (relative to the
   * config file, checked for readability at load). `fallback` covers neither being set; else `missing`.
   */
  secret(inline: AuthField, file: AuthField, fallback: () => SecretSource | undefined, missing: string): SecretSource | undefined;
}

/** What a method's authenticator() gets from the running exporter. */
export interface AuthContext {
  readonly account: string;
  readonly projectId: string;
  readonly logger: Logger;
  readonly observer: AuthObserver;
  /** Wall clock in ms; tests share a fake one with the simulator. */
  readonly now?: () => number;
  /** Timeout of one IAM request. */
  readonly timeoutMs: number;
}

/**
 * One way to sign in to CloudDC, in one module: its config keys, how they are validated into
 * settings, the authenticator built from them and what it reports. src/auth/registry.ts lists them.
 */
export interface AuthMethod<K extends AuthKind> {
  readonly kind: K;
  /** How config errors name the method, e.g. "AK/SK authentication (access_key)". */
  readonly description: string;
  /** Every key under `auth:` that belongs to this method; setting one with another method is an error. */
  readonly fields: readonly AuthField[];
  /** Keys whose presence chooses this method (a subset of `fields`). */
  readonly selectors: readonly AuthField[];
  /** Keys named in "exactly one of ... must be set". */
  readonly named: readonly AuthField[];
  /** Chooses the method when no key names any method (AK/SK from the SDK's environment variables). */
  chosenByEnv?(env: NodeJS.ProcessEnv): boolean;
  /** Series it feeds: IAM tokens (expiry, refreshes) or none beyond the per-account ones. */
  readonly reports: { readonly iamTokens: boolean };
  /** Settings from the raw block, or undefined after reporting every problem through ctx. */
  resolve(ctx: ResolveContext): SettingsOf<K> | undefined;
  authenticator(settings: SettingsOf<K>, ctx: AuthContext): Authenticator;
}

/** An empty variable is treated as unset, as a shell `export X=` usually means "no value". */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
