import type { Logger } from 'pino';
import { authenticatorFor } from '../clouddc/auth/methods.js';
import type { Authenticator } from '../clouddc/authenticator.js';
import type { AuthObserver } from '../clouddc/observer.js';
import type { AccountSettings } from '../domain/config.js';

export type AuthenticatorOf = (account: AccountSettings, timeoutMs: number) => Authenticator;

/**
 * One authenticator per account, shared by its polls and by automatic collection's calls: one IAM token or one set
 * of temporary keys per account, one lock-out pause, one set of auth series, one clock. Keyed by the settings
 * object, so an account that a reload replaces gets a new one, as its poll client does.
 */
export function sharedAuthenticators(deps: { readonly logger: Logger; readonly observer?: AuthObserver; readonly now?: () => number }): AuthenticatorOf {
  const made = new WeakMap<AccountSettings, Authenticator>();
  return (account, timeoutMs) => {
    let auth = made.get(account);
    if (auth === undefined) {
      auth = authenticatorFor(account, {
        logger: deps.logger.child({ account: account.name }),
        ...(deps.observer && { observer: deps.observer }),
        ...(deps.now && { now: deps.now }),
        timeoutMs,
      });
      made.set(account, auth);
    }
    return auth;
  };
}
