import type { SecretFileKey } from '../domain/auth.js';

/** What the client reports about its HTTP traffic; keeps the client free of prom-client. */
export interface ApiObserver {
  /** Once per HTTP attempt; `code` is the HTTP status as a string, or `timeout` / `network`. */
  onRequest(account: string, code: string, durationSeconds: number): void;
  /** Once per retry, with the reason of the attempt that failed. */
  onRetry(account: string, reason: string): void;
  /** The account's current request rate limit (requests per second), at start and after every change. */
  onRateLimit(account: string, requestsPerSecond: number): void;
  /** Time one request waited for the account's rate limiter (its token bucket or a 429 pause). */
  onThrottleWait(account: string, seconds: number): void;
}

/** The per-account series a method feeds beyond the common ones: IAM tokens, temporary credentials. */
export interface AuthReports {
  readonly iamTokens: boolean;
  readonly temporaryKeys: boolean;
}

/** What the authenticators report; keeps them free of prom-client too. */
export interface AuthObserver {
  /** Once per account at start-up, so that its series exist before anything happens; what its method reports. */
  onAccount(account: string, reports: AuthReports): void;
  /** A new IAM token; `expiresAtMs` is the expires_at IAM sent, as Unix ms. */
  onTokenIssued(account: string, expiresAtMs: number): void;
  /** Once per IAM token request that ended (a renewal shared by many polls counts once). */
  onTokenRefresh(account: string, result: 'success' | 'failure'): void;
  /** New temporary AK/SK + security token (metadata, pod identity, OIDC); `expiresAtMs`: their expires_at, Unix ms. */
  onCredentialsIssued(account: string, expiresAtMs: number): void;
  /** Once per request for temporary credentials that ended (a renewal shared by many polls counts once). */
  onCredentialRenewal(account: string, result: 'success' | 'failure'): void;
  /** The account sends nothing until `untilMs` (Unix ms), for `reason`; 0 ends a pause early. */
  onPause(account: string, untilMs: number, reason?: string): void;
  /** A secret read from a file, at start-up, so that its refusal count exists before anything happens. */
  onSecretFile(file: SecretFileKey): void;
  /** Once per version of a secret file that could not be used (too large, not a file, unreadable, invalid). */
  onSecretFileRefused(file: SecretFileKey): void;
}

export const NO_AUTH_OBSERVER: AuthObserver = {
  onAccount() {},
  onTokenIssued() {},
  onTokenRefresh() {},
  onCredentialsIssued() {},
  onCredentialRenewal() {},
  onPause() {},
  onSecretFile() {},
  onSecretFileRefused() {},
};
