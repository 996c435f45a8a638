import type { Logger } from 'pino';
import type { AuthKind, SettingsOf } from '../../domain/auth.js';
import type { AccountSettings } from '../../domain/config.js';
import type { Authenticator } from '../authenticator.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { AKSK_AUTH } from './aksk.js';
import type { AuthenticatorFactory } from './factory.js';
import { PASSWORD_AUTH } from './iam-token.js';
import { METADATA_AUTH } from './metadata.js';
import { OIDC_AUTH } from './oidc.js';
import { POD_IDENTITY_AUTH } from './pod-identity.js';
import { TOKEN_AUTH } from './token.js';

/**
 * The authenticator of every authentication method, by the `kind` of its settings (as blackbox_exporter's
 * Probers map a module's prober). The type makes the map complete: a new variant of AuthSettings does not
 * compile until its factory is listed here.
 */
export const AUTHENTICATORS: { readonly [K in AuthKind]: AuthenticatorFactory<K> } = {
  token: TOKEN_AUTH,
  aksk: AKSK_AUTH,
  password: PASSWORD_AUTH,
  oidc: OIDC_AUTH,
  pod_identity: POD_IDENTITY_AUTH,
  metadata: METADATA_AUTH,
};

export interface AuthenticatorDeps {
  readonly logger: Logger;
  readonly observer?: AuthObserver;
  /** Wall clock in ms; tests share a fake one with the simulator. */
  readonly now?: () => number;
  /** Timeout of one IAM token request; the poll timeout is a good fit. */
  readonly timeoutMs?: number;
}

/** The authenticator for an account's configured sign-in method. */
export function authenticatorFor(account: AccountSettings, deps: AuthenticatorDeps): Authenticator {
  return build(account.auth, account, deps);
}

function build<K extends AuthKind>(settings: SettingsOf<K>, account: AccountSettings, deps: AuthenticatorDeps): Authenticator {
  const factory: AuthenticatorFactory<K> = AUTHENTICATORS[settings.kind];
  const observer = deps.observer ?? NO_AUTH_OBSERVER;
  observer.onAccount(account.name, factory.reports);
  return factory.create(settings, {
    account: account.name,
    projectId: account.projectId,
    logger: deps.logger,
    observer,
    ...(deps.now && { now: deps.now }),
    timeoutMs: deps.timeoutMs ?? 10_000,
  });
}
