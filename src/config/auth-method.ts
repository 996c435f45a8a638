import type { z } from 'zod';
import type { AuthKind, SettingsOf } from '../domain/auth.js';
import type { SecretSource } from '../domain/config.js';
import type { BoundedRead } from '../files/bounded-read.js';

/** Reads a small file at load (the profile file); injected so that parseConfig stays free of the file system. */
export type ReadConfigFile = (path: string) => BoundedRead;

/** What the default chain and a method's resolve() may see of the world besides the `auth:` block. */
export interface Surroundings {
  readonly env: NodeJS.ProcessEnv;
  readonly readFile: ReadConfigFile;
  /** Directory of the config file: relative paths are taken relative to it. */
  readonly baseDir: string;
}

/** What a method's resolve() gets: its own keys of the account's `auth:` block and a way to report problems. */
export interface ResolveContext<Raw> extends Surroundings {
  readonly raw: Raw;
  /** The account's region, if any (password authentication derives its IAM URL from it). */
  readonly region: string | undefined;
  /** Records `path.auth.field: message` (the block itself when `field` is undefined). */
  problem(field: (keyof Raw & string) | undefined, message: string): void;
  /**
   * The inline or the file form of one secret: `inline` holds a Secret, `file` a path (relative to the
   * config file, checked for readability at load). `fallback` covers neither being set; else `missing`.
   */
  secret(inline: keyof Raw & string, file: keyof Raw & string, fallback: () => SecretSource | undefined, missing: string): SecretSource | undefined;
  /** A secret file named outside the `auth:` block (environment, profile file), checked at load under `field`. */
  secretFile(field: (keyof Raw & string) | undefined, absolutePath: string): SecretSource;
}

/**
 * Whether the method applies when no key of the `auth:` block names one (the SDK's environment variables, the
 * profile file), in the default chain's order: true, or what was looked at, for the error naming every source.
 */
export type FromDefaults = (s: Surroundings) => true | string;

/**
 * The config half of one way to sign in to CloudDC, in one module: its keys of the `auth:` block (a zod
 * fragment; authSchema is the merge of every method's), which keys choose it, and how they are validated into
 * settings with their defaults. config/auth-methods.ts lists them; the wire half is in src/clouddc/auth/.
 */
export interface AuthConfigMethod<K extends AuthKind, Shape extends z.ZodRawShape, N extends string = K> {
  /** The method's name: the kind of the settings it resolves to, or `profile` (which resolves to aksk or oidc). */
  readonly name: N;
  /** How config errors name the method, e.g. "AK/SK authentication (access_key)". */
  readonly description: string;
  /** Every key under `auth:` that belongs to this method; setting one with another method is an error. */
  readonly shape: Shape;
  /** Keys whose presence chooses this method. */
  readonly selectors: readonly (keyof Shape & string)[];
  /** Keys named in "exactly one of ... must be set". */
  readonly named: readonly (keyof Shape & string)[];
  /** Chooses the method when no key names any method; see DEFAULT_CHAIN for the order. */
  fromDefaults?: FromDefaults;
  /** Settings from the raw block, or undefined after reporting every problem through ctx. */
  resolve(ctx: ResolveContext<z.output<z.ZodObject<Shape>>>): SettingsOf<K> | undefined;
}

/** What the registry checks of every method, whatever its fragment: its name and the settings it resolves to. */
export interface AnyAuthConfigMethod<K extends AuthKind, N extends string = K> {
  readonly name: N;
  readonly description: string;
  readonly shape: z.ZodRawShape;
  readonly selectors: readonly string[];
  readonly named: readonly string[];
  fromDefaults?: FromDefaults;
  resolve(ctx: never): SettingsOf<K> | undefined;
}

/** Typed by its own fragment, so resolve() sees exactly the keys the method owns. */
export function authConfigMethod<K extends AuthKind, Shape extends z.ZodRawShape, N extends string = K>(
  method: AuthConfigMethod<K, Shape, N>,
): AuthConfigMethod<K, Shape, N> {
  return method;
}

/** "config: access_key, secret_key_file /etc/sk; environment: HUAWEICLOUD_SDK_SK": where each part came from. */
export function describeSource(parts: ReadonlyArray<{ readonly from: 'config' | 'environment'; readonly what: string }>): string {
  const group = (from: 'config' | 'environment') => parts.filter((p) => p.from === from).map((p) => p.what);
  return (['config', 'environment'] as const)
    .filter((from) => group(from).length > 0)
    .map((from) => `${from}: ${group(from).join(', ')}`)
    .join('; ');
}
