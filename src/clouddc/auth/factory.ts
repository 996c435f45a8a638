import type { Logger } from 'pino';
import type { AuthKind, SettingsOf } from '../../domain/auth.js';
import type { Authenticator } from '../authenticator.js';
import type { AuthObserver, AuthReports } from '../observer.js';

/** What a method's authenticator gets from the running exporter. */
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
 * The wire half of one way to sign in to CloudDC: the authenticator built from its settings and what it reports.
 * clouddc/auth/methods.ts maps every kind to one; the config half is in src/config/auth-<method>.ts.
 */
export interface AuthenticatorFactory<K extends AuthKind> {
  /** Series it feeds beyond the per-account ones: IAM tokens (expiry, refreshes), temporary credentials (expiry, renewals). */
  readonly reports: AuthReports;
  create(settings: SettingsOf<K>, ctx: AuthContext): Authenticator;
}
