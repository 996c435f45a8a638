import { authConfigMethod } from './auth-method.js';
import { nonEmpty, secretField } from './fields.js';

/** A static X-Auth-Token, inline or from a file that may be replaced while the exporter runs. */
export const TOKEN_CONFIG = authConfigMethod({
  name: 'token',
  description: 'token authentication (token, token_file)',
  shape: {
    token: secretField.optional(),
    token_file: nonEmpty.optional(),
  },
  selectors: ['token', 'token_file'],
  named: ['token', 'token_file'],
  resolve(ctx) {
    const token = ctx.secret('token', 'token_file', () => undefined, 'required');
    // Sent as a header as it is (after trimming): a line break or other control character would fail every poll.
    if (token?.kind === 'inline' && !/^[\x21-\x7e]+$/.test(token.value.reveal().trim())) {
      ctx.problem('token', 'must be one line of visible ASCII characters (it is sent as an HTTP header)');
      return undefined;
    }
    if (token === undefined) return undefined;
    return { kind: 'token', source: token.kind === 'file' ? `config: token_file ${token.path}` : 'config: token', token };
  },
});
