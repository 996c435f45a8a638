import { createHash } from 'node:crypto';
import type { Secret } from '../domain/secret.js';
import { workerCompare } from './bcrypt-worker.js';
import { FairQueue } from './fair-queue.js';

/**
 * HTTP basic authentication against bcrypt hashes. bcrypt is slow on purpose (about 50-100 ms at cost 10 in pure
 * JS), so a scraper that sends the same right credentials every few seconds is answered from a small cache of
 * recent successes instead. The cache holds only SHA-256 digests of "user:password", never the password itself.
 * Comparisons run on a worker thread (bcrypt-worker.ts), one at a time, from short per-address queues
 * (fair-queue.ts).
 */

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** `Authorization: Basic base64(user:password)`, or undefined when the header is absent or not basic auth. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface BasicAuthOptions {
  readonly users: ReadonlyMap<string, Secret>;
  /** How long a verified user:password pair is trusted without bcrypt; default 60 s. */
  readonly cacheTtlMs?: number;
  /** Entries kept at most (oldest dropped first); default 128. */
  readonly cacheSize?: number;
  /** ms clock; tests pass a fake. */
  readonly now?: () => number;
  /** bcrypt comparison; tests count calls. */
  readonly compare?: (password: string, hash: string) => Promise<boolean>;
  /** Checks one client address (an IPv6 /64) may have waiting, whatever the user names; more are refused at once. Default 4. */
  readonly maxQueuedPerClient?: number;
  /** Checks waiting in all; default 64. */
  readonly maxQueued?: number;
}

export interface BasicAuthVerifier {
  /**
   * True when the header carries a configured user's right password. Never throws. `client` (the remote
   * address) alone keys the fair queue: one address's flood of wrong passwords, under any user names, waits
   * behind itself, not others.
   */
  verify(authorization: string | undefined, client?: string): Promise<boolean>;
  /** Cached successes right now (tests, debugging). */
  readonly cacheSize: number;
}

export function createBasicAuthVerifier(opts: BasicAuthOptions): BasicAuthVerifier {
  const ttl = opts.cacheTtlMs ?? 60_000;
  const max = opts.cacheSize ?? 128;
  const now = opts.now ?? Date.now;
  const compare = opts.compare ?? workerCompare();
  // Digest of "user:password" -> expiry (ms). Map order is insertion order: the first key is the oldest.
  const cache = new Map<string, number>();
  // One bcrypt comparison at a time (a flood of wrong passwords costs one core at most), taken in turn from each
  // address's queue, each of which is short: a flood is refused at once instead of piling up.
  const queue = new FairQueue(opts.maxQueuedPerClient ?? 4, opts.maxQueued ?? 64);
  // Unknown users are checked against a real hash too, so response times do not tell which user names exist.
  const decoy = opts.users.values().next().value?.reveal();

  return {
    get cacheSize() {
      return cache.size;
    },
    async verify(authorization, client = '') {
      const creds = parseBasicAuth(authorization);
      if (creds === undefined) return false;
      const key = createHash('sha256').update(`${creds.user}:${creds.password}`).digest('hex');
      const t = now();
      const expires = cache.get(key);
      if (expires !== undefined) {
        if (expires > t) return true;
        cache.delete(key);
      }
      const hash = opts.users.get(creds.user)?.reveal();
      const against = hash ?? decoy;
      if (against === undefined) return false;
      let ok: boolean;
      try {
        ok = (await queue.run(client, () => compare(creds.password, against))) === true;
      } catch {
        ok = false;
      }
      if (!ok || hash === undefined) return false;
      cache.set(key, now() + ttl);
      while (cache.size > max) {
        const oldest = cache.keys().next().value;
        if (oldest === undefined) break;
        cache.delete(oldest);
      }
      return true;
    },
  };
}
