import type { AuthenticatorFactory } from './factory.js';
import { call, failed, hostOf, parseCredential } from './credential-call.js';
import { reportRefusals, secretReader, trimmed, type SecretReader } from './secret-reader.js';
import { temporaryKeysFor, type CredentialSource } from './temporary-keys.js';

/** The SDKs' IAM paths for federation (core/auth/internal/iam_helper.go). */
const ID_TOKEN_PATH = '/v3.0/OS-AUTH/id-token/tokens';
const SECURITY_TOKENS_PATH = '/v3.0/OS-CREDENTIAL/securitytokens';
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export interface OidcSourceOptions {
  readonly iamEndpoint: string;
  readonly idpId: string;
  readonly idToken: SecretReader;
  readonly durationSeconds: number;
  readonly timeoutMs: number;
}

/**
 * OIDC federation as the SDKs do it: the id token (re-read at every exchange, since projected tokens rotate) for
 * an unscoped IAM token, then that token for temporary AK/SK + security token of `durationSeconds`.
 */
export function oidcSource(opts: OidcSourceOptions): CredentialSource {
  const base = opts.iamEndpoint.replace(/\/+$/, '');
  const name = `IAM at ${hostOf(base)}`;
  const json = { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' };
  return {
    name,
    changed: () => opts.idToken.changedSinceRead(),
    async fetch() {
      let idToken: string;
      try {
        idToken = await opts.idToken.current();
      } catch (err) {
        return { ok: false, refused: false, message: err instanceof Error ? err.message : 'cannot read the id token' };
      }
      const exchange = await call(`${base}${ID_TOKEN_PATH}`, {
        method: 'POST',
        headers: { ...json, 'X-Idp-Id': opts.idpId },
        body: JSON.stringify({ auth: { id_token: { id: idToken } } }),
        timeoutMs: opts.timeoutMs,
        secrets: [idToken],
      });
      if (!exchange.ok) return { ok: false, refused: false, message: `${name}: ${exchange.message}` };
      if (exchange.status !== 201 && exchange.status !== 200) return failed(`${name} (id token exchange)`, exchange, [idToken]);
      const token = exchange.header('x-subject-token');
      if (token === undefined || !HEADER_SAFE.test(token)) {
        return { ok: false, refused: false, message: `${name} exchanged the id token without a usable X-Subject-Token header` };
      }
      const keys = await call(`${base}${SECURITY_TOKENS_PATH}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: token, duration_seconds: opts.durationSeconds } } } }),
        timeoutMs: opts.timeoutMs,
        secrets: [idToken, token],
      });
      if (!keys.ok) return { ok: false, refused: false, message: `${name}: ${keys.message}` };
      if (keys.status !== 201 && keys.status !== 200) return failed(`${name} (temporary keys)`, keys, [idToken, token]);
      return parseCredential(name, keys.text);
    },
  };
}

/** The `oidc` method. */
export const OIDC_AUTH: AuthenticatorFactory<'oidc'> = {
  reports: { iamTokens: false, temporaryKeys: true },
  create: (settings, ctx) => {
    const refused = reportRefusals(settings.idToken, 'id_token_file', ctx.logger, ctx.observer);
    const idToken = secretReader(settings.idToken, 'id token', trimmed, undefined, refused);
    return temporaryKeysFor(
      ctx,
      oidcSource({
        iamEndpoint: settings.iamEndpoint,
        idpId: settings.idpId,
        idToken,
        durationSeconds: settings.durationSeconds,
        timeoutMs: ctx.timeoutMs,
      }),
    );
  },
};
