import type { Logger } from 'pino';
import type { AccountSettings } from '../../domain/config.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { akskAuthenticator } from './aksk.js';
import { IamTokenAuthenticator } from './iam-token.js';
import { staticTokenAuthenticator, type Authenticator } from './token.js';

export interface AuthenticatorDeps {
  readonly logger: Logger;
  readonly observer?: AuthObserver;
  /** Wall clock in ms; tests share a fake one with the simulator. */
  readonly now?: () => number;
  /** Timeout of one IAM token request; the poll timeout is a good fit. */
  readonly timeoutMs?: number;
}

/** Picks the authenticator for an account's configured sign-in method. */
export function authenticatorFor(account: AccountSettings, deps: AuthenticatorDeps): Authenticator {
  const auth = account.auth;
  const observer = deps.observer ?? NO_AUTH_OBSERVER;
  observer.onAccount(account.name, auth.kind);
  const common = { account: account.name, projectId: account.projectId, logger: deps.logger, observer };
  const now = deps.now === undefined ? {} : { now: deps.now };
  switch (auth.kind) {
    case 'token':
      return staticTokenAuthenticator(auth.token, undefined, deps.logger);
    case 'aksk':
      return akskAuthenticator({
        ...common,
        ...now,
        accessKey: auth.accessKey,
        secretKey: auth.secretKey,
        ...(auth.securityToken !== undefined && { securityToken: auth.securityToken }),
      });
    case 'password':
      return new IamTokenAuthenticator({ ...common, ...now, settings: auth, timeoutMs: deps.timeoutMs ?? 10_000 });
  }
}
