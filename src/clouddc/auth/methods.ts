import type { Logger } from 'pino';
import type { Authenticator } from '../authenticator.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import type { AccountSettings } from '../../domain/config.js';
import { AKSK_METHOD } from '../../config/auth-aksk.js';
import type { AuthKind, AuthMethod, SettingsOf } from '../../config/auth-method.js';
import { PASSWORD_METHOD } from '../../config/auth-password.js';
import { TOKEN_METHOD } from '../../config/auth-token.js';

/**
 * Every authentication method, by the `kind` of its settings. The type makes the list complete: a
 * new variant of AuthSettings does not compile until its module is listed here. Config validation,
 * the authenticator, the observer and the self-metrics read the methods from this list, and
 * test/auth/registry.test.ts checks the config schema, the docs and the Helm chart against it.
 */
export const AUTH_METHODS: { readonly [K in AuthKind]: AuthMethod<K> } = {
  token: TOKEN_METHOD,
  aksk: AKSK_METHOD,
  password: PASSWORD_METHOD,
};

export const AUTH_KINDS = Object.keys(AUTH_METHODS) as AuthKind[];

export function authMethod<K extends AuthKind>(kind: K): AuthMethod<K> {
  return AUTH_METHODS[kind];
}

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
  const method = authMethod<K>(settings.kind);
  const observer = deps.observer ?? NO_AUTH_OBSERVER;
  observer.onAccount(account.name, method.reports);
  return method.authenticator(settings, {
    account: account.name,
    projectId: account.projectId,
    logger: deps.logger,
    observer,
    ...(deps.now && { now: deps.now }),
    timeoutMs: deps.timeoutMs ?? 10_000,
  });
}
