import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { readBounded } from '../../files/bounded-read.js';
import type { SecretSource } from '../../domain/config.js';
import type { SecretFileKey } from '../../domain/auth.js';
import type { AuthObserver } from '../observer.js';
import { AuthenticationError } from '../authenticator.js';

export type ReadTextFile = (path: string) => Promise<string>;

/** A file refused for its type or size, before it is read. */
export class RefusedFile extends Error {}

const defaultReadFile: ReadTextFile = async (path) => {
  const r = await readBounded(path, 'secret');
  if (r.ok) return r.data.toString('utf8');
  if (r.code !== undefined) throw Object.assign(new Error(r.reason), { code: r.code });
  throw new RefusedFile(r.reason);
};

/**
 * Turns the raw text into the value to use, or throws an AuthenticationError. `origin` names where the text came
 * from ("token file /x", "the inline password") and is safe to print; the text itself never is.
 */
export type Normalise = (raw: string, origin: string) => string;

/** A secret from the config that may change under a running exporter (a rotated file). */
export interface SecretReader {
  current(): Promise<string>;
  /** True when the file now differs from what current() last read; always false for inline secrets. */
  changedSinceRead(): Promise<boolean>;
}

/**
 * Called once per version of the file that could not be used: too large, not a regular file, unreadable or
 * invalid. `kept`: the last good value stays in use; false before any good read, when the callers get the error.
 */
export type OnRefused = (message: string, kept: boolean) => void;

/**
 * The usual OnRefused: a warning when the last value stays in use (a failing poll says the rest), and a count in
 * the self-metrics either way, whose series exists at 0 from now on.
 */
export function reportRefusals(source: SecretSource, file: SecretFileKey, logger: Logger | undefined, observer: AuthObserver): OnRefused {
  if (source.kind === 'file') observer.onSecretFile(file);
  return (message, kept) => {
    if (kept) logger?.warn(message);
    observer.onSecretFileRefused(file);
  };
}

/** `what` is a short noun for messages: "token", "secret key", "password". */
export function secretReader(
  source: SecretSource,
  what: string,
  normalise: Normalise,
  readFile: ReadTextFile = defaultReadFile,
  onRefused: OnRefused = () => {},
): SecretReader {
  if (source.kind === 'inline') {
    return {
      current: async () => normalise(source.value.reveal(), `the inline ${what}`),
      changedSinceRead: async () => false,
    };
  }
  return new WatchedSecretFile(source.path, `${what} file ${source.path}`, normalise, readFile, onRefused);
}

/**
 * A Kubernetes Secret volume swaps a `..data` symlink to a new directory on rotation, so the secret's path
 * stays the same while the file behind it changes. stat() follows the symlink; a change of inode, size or
 * mtime triggers a re-read. stat runs before read, so a change racing the read is caught on the next call
 * rather than caching new content under an old fingerprint.
 */
class WatchedSecretFile implements SecretReader {
  #fingerprint: string | undefined;
  #value: string | undefined;
  #loading: Promise<string> | undefined;

  constructor(
    private readonly path: string,
    private readonly origin: string,
    private readonly normalise: Normalise,
    private readonly readFile: ReadTextFile,
    private readonly onRefused: OnRefused,
  ) {}

  /** The version of the file last refused while a good value was kept: not read again, and reported once. */
  #refused: string | undefined;
  /** The version of the file last reported through onRefused, so a file that fails every poll counts once. */
  #reported: string | undefined;

  current(): Promise<string> {
    // Concurrent polls share one stat/read instead of each hitting the file system.
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async changedSinceRead(): Promise<boolean> {
    try {
      return (await this.#stat()) !== this.#fingerprint;
    } catch {
      return false;
    }
  }

  async #load(): Promise<string> {
    const fingerprint = await this.#stat();
    if (fingerprint === this.#fingerprint && this.#value !== undefined) return this.#value;
    if (fingerprint === this.#refused && this.#value !== undefined) return this.#value;
    let value: string;
    try {
      value = this.normalise(await this.readFile(this.path), this.origin);
    } catch (err) {
      const message =
        err instanceof AuthenticationError ? err.message : `cannot read ${this.origin}: ${err instanceof RefusedFile ? err.message : errorCode(err)}`;
      // A half-written or broken rotation must not stop the polls while the previous secret may still work.
      if (this.#value !== undefined) {
        this.#refused = fingerprint;
        this.#report(fingerprint, `${message}; keeping the last value read`, true);
        return this.#value;
      }
      this.#report(fingerprint, message, false);
      throw err instanceof AuthenticationError ? err : new AuthenticationError(message);
    }
    this.#fingerprint = fingerprint;
    this.#refused = undefined;
    this.#reported = undefined;
    this.#value = value;
    return value;
  }

  #report(fingerprint: string, message: string, kept: boolean): void {
    if (fingerprint === this.#reported) return;
    this.#reported = fingerprint;
    this.onRefused(message, kept);
  }

  async #stat(): Promise<string> {
    try {
      const s = await fs.stat(this.path, { bigint: true });
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      throw new AuthenticationError(`cannot read ${this.origin}: ${errorCode(err)}`);
    }
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'read failed';
}

/** Files usually end in a newline that is not part of the secret. */
export function trimmed(raw: string, origin: string): string {
  const value = raw.trim();
  if (value === '') throw new AuthenticationError(`${origin} is empty`);
  return value;
}

/** Passwords may legitimately start or end with spaces, so only the file's line ending is dropped. */
export function withoutLineEnding(raw: string, origin: string): string {
  const value = raw.replace(/(?:\r?\n)+$/, '');
  if (value === '') throw new AuthenticationError(`${origin} is empty`);
  return value;
}
