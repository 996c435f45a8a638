import { randomBytes } from 'node:crypto';
import { iamTime } from './http-util.js';

/**
 * Temporary AK/SK + security token, as the metadata service, pod identity and IAM's securitytokens call hand out.
 * One store is shared by the issuers and the gateway (gateway-auth.ts), all on the simulator clock, so a key
 * issued by any of them signs CloudDC requests until `expiresAt` and not a millisecond longer.
 */

export type KeySource = 'metadata' | 'pod-identity' | 'iam';

export interface TemporaryKey {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken: string;
  /** Simulator clock, ms. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly source: KeySource;
}

export interface TemporaryKeys {
  /** Mints a key living `lifetimeMs` from now on the store's clock. */
  issue(lifetimeMs: number, source: KeySource): TemporaryKey;
  lookup(accessKey: string): TemporaryKey | undefined;
  /** Every key issued, oldest first (for counting renewals and leak tests). */
  readonly issued: readonly TemporaryKey[];
  /** Ends a key now, as if its lifetime had run out. */
  expire(accessKey: string): void;
}

export function createTemporaryKeys(now: () => number = Date.now): TemporaryKeys {
  const keys = new Map<string, TemporaryKey>();
  const issued: TemporaryKey[] = [];
  return {
    issue(lifetimeMs, source) {
      if (!Number.isFinite(lifetimeMs) || lifetimeMs <= 0) throw new RangeError('credential lifetime must be a finite number of ms > 0');
      const issuedAt = now();
      // Temporary access keys start with the letters of a real one; the token is long and opaque, as IAM's are.
      const key: TemporaryKey = {
        accessKey: `HST${randomBytes(9).toString('hex').toUpperCase()}`,
        secretKey: randomBytes(30).toString('base64url'),
        securityToken: `gQpjbi1ub3J0aC00${randomBytes(96).toString('base64url')}`,
        issuedAt,
        expiresAt: issuedAt + lifetimeMs,
        source,
      };
      keys.set(key.accessKey, key);
      issued.push(key);
      return key;
    },
    lookup: (ak) => keys.get(ak),
    get issued() {
      return issued.slice();
    },
    expire(ak) {
      const k = keys.get(ak);
      if (k !== undefined) keys.set(ak, { ...k, expiresAt: Math.min(k.expiresAt, now()) });
    },
  };
}

/** The `{"credential": …}` document all three issuers answer with (the SDK's Credential model). */
export function credentialDocument(key: TemporaryKey): string {
  return JSON.stringify({
    credential: { access: key.accessKey, secret: key.secretKey, securitytoken: key.securityToken, expires_at: iamTime(key.expiresAt) },
  });
}
