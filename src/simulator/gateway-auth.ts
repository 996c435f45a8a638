import { gatewayAuthFailure, tokenMustBeUpdated } from './bodies.js';
import type { TokenState } from './iam.js';
import { verifySignature } from './signature-verifier.js';
import type { TemporaryKeys } from './temp-keys.js';
import type { AuthRequest, AuthVerdict, Authenticate } from './types.js';

/**
 * The API gateway's credential check as an `authenticate` hook: IAM tokens from the IAM simulator, static
 * tokens, and SDK-HMAC-SHA256 signatures through the simulator's own verifier, with Huawei's lock-out of an
 * access key after repeated failed signature checks.
 */

export interface AkskCredential {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary credentials: X-Security-Token must then be sent and signed. */
  readonly securityToken?: string;
}

export interface GatewayAuthOptions {
  /** Usually the IAM simulator. */
  readonly iam?: { check(token: string, now: number): TokenState };
  /** X-Auth-Token values accepted as they are. */
  readonly tokens?: readonly string[];
  readonly credentials?: readonly AkskCredential[];
  /**
   * Temporary keys from the metadata, pod identity and IAM simulators (share their store): accepted only with their
   * signed X-Security-Token and before they expire.
   */
  readonly temporaryKeys?: Pick<TemporaryKeys, 'lookup'>;
  /** Failed signature checks in a row that lock a key; default 5. */
  readonly lockoutFailures?: number;
  /** Default 5 minutes. */
  readonly lockoutMs?: number;
  /**
   * Failures further apart than this do not count as "in a row"; default `lockoutMs`. Huawei does not say
   * how it counts; pass Infinity for the strictest reading (only a success resets the count).
   */
  readonly failureWindowMs?: number;
}

export interface GatewayAuth {
  readonly authenticate: Authenticate;
  /** How often a key was locked. */
  readonly lockouts: number;
  /** Requests refused for a wrong signature or date (lock-out refusals not included). */
  readonly failedSignatureChecks: number;
  isLocked(accessKey: string, now: number): boolean;
}

interface KeyState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

// Huawei documents the lock-out, not its wording; this message is our assumption.
const LOCKED = 'the access key is locked after repeated failures';

export function createGatewayAuth(opts: GatewayAuthOptions): GatewayAuth {
  const credentials = new Map((opts.credentials ?? []).map((c) => [c.accessKey, c]));
  const tokens = new Set(opts.tokens ?? []);
  const maxFailures = opts.lockoutFailures ?? 5;
  const lockoutMs = opts.lockoutMs ?? 5 * 60_000;
  const windowMs = opts.failureWindowMs ?? lockoutMs;
  const keys = new Map<string, KeyState>();
  let lockouts = 0;
  let failedSignatureChecks = 0;

  const refuse = (body: Record<string, string>): AuthVerdict => ({ ok: false, status: 401, body });
  const stateOf = (ak: string): KeyState => {
    let s = keys.get(ak);
    if (s === undefined) keys.set(ak, (s = { failures: 0, lastFailureAt: -Infinity, lockedUntil: -Infinity }));
    return s;
  };

  // A temporary key is an AkskCredential that also expires.
  const lookup = (ak: string): (AkskCredential & { readonly expiresAt?: number }) | undefined => credentials.get(ak) ?? opts.temporaryKeys?.lookup(ak);

  function signed(req: AuthRequest): AuthVerdict {
    const access = /Access=([^,\s]+)/.exec(String(req.headers.authorization))?.[1];
    const key = access === undefined ? undefined : lookup(access);
    if (access !== undefined && key !== undefined && req.now < stateOf(access).lockedUntil) {
      return refuse(gatewayAuthFailure(LOCKED, req.requestId));
    }
    const result = verifySignature(req, (ak) => lookup(ak)?.secretKey, new Date(req.now));
    if (!result.ok) {
      if (access !== undefined && key !== undefined && (result.reason === 'signature_mismatch' || result.reason === 'clock_skew')) {
        failedSignatureChecks++;
        const s = stateOf(access);
        s.failures = req.now - s.lastFailureAt > windowMs ? 1 : s.failures + 1;
        s.lastFailureAt = req.now;
        if (s.failures >= maxFailures) {
          s.lockedUntil = req.now + lockoutMs;
          s.failures = 0;
          lockouts++;
        }
      }
      return refuse({ error_code: 'APIGW.0301', error_msg: result.message, request_id: req.requestId });
    }
    stateOf(result.accessKey).failures = 0;
    const used = lookup(result.accessKey);
    const expected = used?.securityToken;
    if (expected !== undefined) {
      const signedNames = /SignedHeaders=([^,\s]+)/.exec(String(req.headers.authorization))?.[1]?.split(';') ?? [];
      if (req.headers['x-security-token'] !== expected || !signedNames.includes('x-security-token')) {
        return refuse(gatewayAuthFailure('verify security token fail', req.requestId));
      }
    }
    // The gateway's code for a token past its time; the wording for a security token is our assumption.
    if (used?.expiresAt !== undefined && req.now >= used.expiresAt) return refuse(tokenMustBeUpdated(req.requestId));
    return { ok: true };
  }

  function token(req: AuthRequest, sent: string): AuthVerdict {
    if (tokens.has(sent)) return { ok: true };
    const state = opts.iam?.check(sent, req.now) ?? 'unknown';
    if (state === 'valid') return { ok: true };
    if (state === 'expired' || state === 'revoked') return refuse(tokenMustBeUpdated(req.requestId));
    return refuse(gatewayAuthFailure('decrypt token fail', req.requestId));
  }

  return {
    authenticate(req) {
      const authorization = req.headers.authorization;
      if (typeof authorization === 'string' && authorization.trim().startsWith('SDK-HMAC-SHA256')) return signed(req);
      const sent = req.headers['x-auth-token'];
      if (typeof sent === 'string' && sent !== '') return token(req, sent);
      return refuse(gatewayAuthFailure('x-auth-token not found', req.requestId));
    },
    get lockouts() {
      return lockouts;
    },
    get failedSignatureChecks() {
      return failedSignatureChecks;
    },
    isLocked(ak, now) {
      return now < (keys.get(ak)?.lockedUntil ?? -Infinity);
    },
  };
}
