import type { Logger } from 'pino';
import type { AccountSettings } from '../../domain/config.js';
import { AuthenticationError, staticTokenAuthenticator, type Authenticator } from './token.js';

export interface AuthenticatorDeps {
  readonly logger: Logger;
}

/** Picks the authenticator for an account's configured sign-in method. */
export function authenticatorFor(account: AccountSettings, _deps: AuthenticatorDeps): Authenticator {
  const auth = account.auth;
  switch (auth.kind) {
    case 'token':
      return staticTokenAuthenticator(auth.token);
    default:
      return {
        authorize: () => Promise.reject(new AuthenticationError(`auth method "${auth.kind}" is not supported yet`)),
      };
  }
}
