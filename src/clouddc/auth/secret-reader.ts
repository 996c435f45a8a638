import { promises as fs } from 'node:fs';
import { readBounded } from '../../config/bounded-read.js';
import type { SecretSource } from '../../domain/config.js';
import { AuthenticationError } from './authenticator.js';

export type ReadTextFile = (path: string) => Promise<string>;

/** A file refused for its type or size (not a missing one): the last good value stays in use. */
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

/** `what` is a short noun for messages: "token", "secret key", "password". */
export function secretReader(
  source: SecretSource,
  what: string,
  normalise: Normalise,
  readFile: ReadTextFile = defaultReadFile,
  onRefused: (message: string) => void = () => {},
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
    private readonly onRefused: (message: string) => void,
  ) {}

  /** The version of the file last refused: not read again, and reported once. */
  #refused: string | undefined;

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
    let text: string;
    try {
      text = await this.readFile(this.path);
    } catch (err) {
      if (err instanceof RefusedFile) {
        const message = `cannot read ${this.origin}: ${err.message}`;
        if (this.#value === undefined) throw new AuthenticationError(message);
        this.#refused = fingerprint;
        this.onRefused(`${message}; keeping the last value read`);
        return this.#value;
      }
      throw new AuthenticationError(`cannot read ${this.origin}: ${errorCode(err)}`);
    }
    const value = this.normalise(text, this.origin);
    this.#fingerprint = fingerprint;
    this.#refused = undefined;
    this.#value = value;
    return value;
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
