import type { z } from 'zod';
import type { AuthKind, SettingsOf } from '../domain/auth.js';
import type { SecretSource } from '../domain/config.js';

/** What a method's resolve() gets: its own keys of the account's `auth:` block and a way to report problems. */
export interface ResolveContext<Raw> {
  readonly raw: Raw;
  /** The account's region, if any (password authentication derives its IAM URL from it). */
  readonly region: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Records `path.auth.field: message` (the block itself when `field` is undefined). */
  problem(field: (keyof Raw & string) | undefined, message: string): void;
  /**
   * The inline or the file form of one secret: `inline` holds a Secret, `file` a path (relative to the
   * config file, checked for readability at load). `fallback` covers neither being set; else `missing`.
   */
  secret(inline: keyof Raw & string, file: keyof Raw & string, fallback: () => SecretSource | undefined, missing: string): SecretSource | undefined;
}

/**
 * The config half of one way to sign in to CloudDC, in one module: its keys of the `auth:` block (a zod
 * fragment; authSchema is the merge of every method's), which keys choose it, and how they are validated into
 * settings with their defaults. config/auth-methods.ts lists them; the wire half is in src/clouddc/auth/.
 */
export interface AuthConfigMethod<K extends AuthKind, Shape extends z.ZodRawShape> {
  readonly kind: K;
  /** How config errors name the method, e.g. "AK/SK authentication (access_key)". */
  readonly description: string;
  /** Every key under `auth:` that belongs to this method; setting one with another method is an error. */
  readonly shape: Shape;
  /** Keys whose presence chooses this method. */
  readonly selectors: readonly (keyof Shape & string)[];
  /** Keys named in "exactly one of ... must be set". */
  readonly named: readonly (keyof Shape & string)[];
  /** Chooses the method when no key names any method (AK/SK from the SDK's environment variables). */
  chosenByEnv?(env: NodeJS.ProcessEnv): boolean;
  /** Settings from the raw block, or undefined after reporting every problem through ctx. */
  resolve(ctx: ResolveContext<z.output<z.ZodObject<Shape>>>): SettingsOf<K> | undefined;
}

/** What the registry checks of every method, whatever its fragment: its kind and the settings it resolves to. */
export interface AnyAuthConfigMethod<K extends AuthKind> {
  readonly kind: K;
  readonly description: string;
  readonly shape: z.ZodRawShape;
  readonly selectors: readonly string[];
  readonly named: readonly string[];
  chosenByEnv?(env: NodeJS.ProcessEnv): boolean;
  resolve(ctx: never): SettingsOf<K> | undefined;
}

/** Typed by its own fragment, so resolve() sees exactly the keys the method owns. */
export function authConfigMethod<K extends AuthKind, Shape extends z.ZodRawShape>(method: AuthConfigMethod<K, Shape>): AuthConfigMethod<K, Shape> {
  return method;
}
