import type { Logger } from 'pino';
import type { SecretSource } from '../../domain/config.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { AuthenticationError, type Authenticator } from '../authenticator.js';
import type { AuthenticatorFactory } from './factory.js';
import { reportRefusals, secretReader, type ReadTextFile } from './secret-reader.js';

// Visible ASCII only: anything else would be rejected by undici or, worse, split the header block.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function checkedToken(raw: string, origin: string): string {
  const token = raw.trim();
  if (token === '') throw new AuthenticationError(`${origin} is empty`);
  if (!HEADER_SAFE.test(token)) {
    throw new AuthenticationError(`${origin} contains characters not allowed in an HTTP header`);
  }
  return token;
}

/** X-Auth-Token from an inline secret or from a file that may be replaced while the exporter runs. */
export function staticTokenAuthenticator(
  source: SecretSource,
  opts: { readonly readFile?: ReadTextFile; readonly logger?: Logger; readonly observer?: AuthObserver } = {},
): Authenticator {
  const refused = reportRefusals(source, 'token_file', opts.logger, opts.observer ?? NO_AUTH_OBSERVER);
  const token = secretReader(source, 'token', checkedToken, opts.readFile, refused);
  if (source.kind === 'inline') {
    // An inline token never changes: checked once, it is one frozen header object shared by every request.
    const headers = inlineHeaders(source.value.reveal());
    if (headers !== undefined) return { authorize: async () => headers };
    // Unusable: the generic path below rejects every poll with the checker's message.
  }
  // One frozen object per token read, so the client builds its headers and redactor once per token, not per request.
  let last: { readonly token: string; readonly headers: Readonly<Record<string, string>> } | undefined;
  const auth: Authenticator = {
    async authorize() {
      const current = await token.current();
      if (last?.token !== current) last = { token: current, headers: Object.freeze({ 'X-Auth-Token': current }) };
      return last.headers;
    },
  };
  // An inline token never changes, so a 401 can never be cured by asking again.
  if (source.kind === 'file') auth.onUnauthorized = () => token.changedSinceRead();
  return auth;
}

function inlineHeaders(raw: string): Readonly<Record<string, string>> | undefined {
  try {
    return Object.freeze({ 'X-Auth-Token': checkedToken(raw, 'the inline token') });
  } catch {
    return undefined;
  }
}

/** The `token` method: the header as it is, from the config or the file. */
export const TOKEN_AUTH: AuthenticatorFactory<'token'> = {
  reports: { iamTokens: false, temporaryKeys: false },
  create: (settings, ctx) => staticTokenAuthenticator(settings.token, { logger: ctx.logger, observer: ctx.observer }),
};
