import { promises as fs } from 'node:fs';
import type { SecretSource } from '../../domain/config.js';

export interface AuthorizeRequest {
  readonly method: string;
  readonly url: URL;
  /** The headers the client will send besides the ones returned; lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** How the client obtains credentials; static token, AK/SK signing and IAM password tokens all fit it. */
export interface Authenticator {
  /** Headers to add to this one request. Rejects with AuthenticationError when no credentials are usable. */
  authorize(req: AuthorizeRequest): Promise<Record<string, string>>;
  /** Called after a 401; true means the credentials were renewed and the request is worth one more try. */
  onUnauthorized?(): Promise<boolean>;
}

/**
 * Credentials could not be produced locally (unreadable token file, IAM unreachable...). `reason` is the
 * PollFailure reason to report: '401' by default, since an operator fixes both the same way.
 */
export class AuthenticationError extends Error {
  readonly reason: string;

  constructor(message: string, reason = '401') {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}

export type ReadTextFile = (path: string) => Promise<string>;

const defaultReadFile: ReadTextFile = (path) => fs.readFile(path, 'utf8');

// Visible ASCII only: anything else would be rejected by undici or, worse, split the header block.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

function checkedToken(raw: string, origin: string): string {
  const token = raw.trim();
  if (token === '') throw new AuthenticationError(`${origin} is empty`);
  if (!HEADER_SAFE.test(token)) {
    throw new AuthenticationError(`${origin} contains characters not allowed in an HTTP header`);
  }
  return token;
}

/** X-Auth-Token from an inline secret or from a file that may be replaced while the exporter runs. */
export function staticTokenAuthenticator(
  source: SecretSource,
  readFile: ReadTextFile = defaultReadFile,
): Authenticator {
  if (source.kind === 'inline') {
    return {
      async authorize() {
        return { 'X-Auth-Token': checkedToken(source.value.reveal(), 'the inline token') };
      },
    };
  }
  const file = new WatchedTokenFile(source.path, readFile);
  return {
    async authorize() {
      return { 'X-Auth-Token': await file.current() };
    },
    onUnauthorized: () => file.changedSinceRead(),
  };
}

/**
 * A Kubernetes Secret volume swaps a `..data` symlink to a new directory on rotation, so the token's path
 * stays the same while the file behind it changes. stat() follows the symlink; a change of inode, size or
 * mtime triggers a re-read. stat runs before read, so a change racing the read is caught on the next call
 * rather than caching new content under an old fingerprint.
 */
class WatchedTokenFile {
  #fingerprint: string | undefined;
  #token: string | undefined;
  #loading: Promise<string> | undefined;

  constructor(
    private readonly path: string,
    private readonly readFile: ReadTextFile,
  ) {}

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
    if (fingerprint === this.#fingerprint && this.#token !== undefined) return this.#token;
    let text: string;
    try {
      text = await this.readFile(this.path);
    } catch (err) {
      throw new AuthenticationError(`cannot read token file ${this.path}: ${errorCode(err)}`);
    }
    const token = checkedToken(text, `token file ${this.path}`);
    this.#fingerprint = fingerprint;
    this.#token = token;
    return token;
  }

  async #stat(): Promise<string> {
    try {
      const s = await fs.stat(this.path, { bigint: true });
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      throw new AuthenticationError(`cannot read token file ${this.path}: ${errorCode(err)}`);
    }
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'read failed';
}
