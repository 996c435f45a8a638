import { resolve } from 'node:path';
import type { SecretSource } from '../domain/config.js';
import { authConfigMethod, describeSource } from './auth-method.js';
import { envValue } from './env.js';
import { durationField, httpUrl, nonEmpty } from './fields.js';

/** The SDKs' variables for OIDC federation (a CCE service-account token exchanged at IAM). */
export const ENV_IDP_ID = 'HUAWEICLOUD_SDK_IDP_ID';
export const ENV_ID_TOKEN_FILE = 'HUAWEICLOUD_SDK_ID_TOKEN_FILE';
export const ENV_DOMAIN_ID = 'HUAWEICLOUD_SDK_DOMAIN_ID';
export const ENV_IAM_ENDPOINT = 'HUAWEICLOUD_SDK_IAM_ENDPOINT';

export const OIDC_DEFAULTS = {
  /** The SDKs' 21600 s. */
  durationSeconds: 6 * 3600,
} as const;

// IAM issues temporary keys for 15 minutes to 24 hours.
const MIN_DURATION_S = 900;
const MAX_DURATION_MS = 24 * 3_600_000;

/** The IAM endpoint of a region, as the SDKs build it. */
export function regionalIam(region: string | undefined): string | undefined {
  return region === undefined || region === '' ? undefined : `https://iam.${region}.myhuaweicloud.com`;
}

/** The SDKs prepend https:// to an IAM endpoint written without a scheme. */
export function iamUrl(value: string): { ok: true; url: string } | { ok: false; message: string } {
  const parsed = httpUrl.safeParse(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  return parsed.success ? { ok: true, url: parsed.data } : { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid URL' };
}

/**
 * OIDC federation: the id token in `id_token_file` (re-read at every exchange: projected tokens rotate) is
 * exchanged at IAM for a token, then for temporary AK/SK + security token, which the exporter renews.
 */
export const OIDC_CONFIG = authConfigMethod({
  name: 'oidc',
  description: 'OIDC federation (idp_id)',
  shape: {
    idp_id: nonEmpty.optional(),
    id_token_file: nonEmpty.optional(),
    domain_id: nonEmpty.optional(),
    iam_endpoint: httpUrl.optional(),
    duration: durationField({ max: MAX_DURATION_MS }).optional(),
  },
  selectors: ['idp_id', 'id_token_file'],
  named: ['idp_id'],
  fromDefaults: ({ env }) =>
    (envValue(env, ENV_IDP_ID) !== undefined && envValue(env, ENV_ID_TOKEN_FILE) !== undefined) || `environment ${ENV_IDP_ID} + ${ENV_ID_TOKEN_FILE} (not set)`,
  resolve(ctx) {
    const a = ctx.raw;
    const idpId = a.idp_id ?? envValue(ctx.env, ENV_IDP_ID);
    if (idpId === undefined) ctx.problem('idp_id', `required (or set the ${ENV_IDP_ID} environment variable)`);
    const envFile = envValue(ctx.env, ENV_ID_TOKEN_FILE);
    let idToken: SecretSource | undefined;
    if (a.id_token_file !== undefined) idToken = ctx.secretFile('id_token_file', resolve(ctx.baseDir, a.id_token_file));
    else if (envFile !== undefined) idToken = ctx.secretFile(undefined, resolve(envFile));
    else ctx.problem('id_token_file', `required (or set the ${ENV_ID_TOKEN_FILE} environment variable)`);
    const envIam = envValue(ctx.env, ENV_IAM_ENDPOINT);
    let iamEndpoint = a.iam_endpoint;
    if (iamEndpoint === undefined && envIam !== undefined) {
      const checked = iamUrl(envIam);
      if (checked.ok) iamEndpoint = checked.url;
      else ctx.problem('iam_endpoint', `environment variable ${ENV_IAM_ENDPOINT}: ${checked.message}`);
    } else if (iamEndpoint === undefined) {
      iamEndpoint = regionalIam(ctx.region);
      if (iamEndpoint === undefined) ctx.problem('iam_endpoint', `required when the account has no region (or set ${ENV_IAM_ENDPOINT})`);
    }
    const durationMs = a.duration ?? OIDC_DEFAULTS.durationSeconds * 1000;
    if (durationMs < MIN_DURATION_S * 1000) ctx.problem('duration', 'must be at least 15m (IAM issues temporary keys for 15m to 24h)');
    const domainId = a.domain_id ?? envValue(ctx.env, ENV_DOMAIN_ID);
    if (idpId === undefined || idToken === undefined || iamEndpoint === undefined || durationMs < MIN_DURATION_S * 1000) return undefined;
    const source = describeSource([
      a.idp_id !== undefined ? { from: 'config', what: `idp_id ${idpId}` } : { from: 'environment', what: `${ENV_IDP_ID} (${idpId})` },
      a.id_token_file !== undefined
        ? { from: 'config', what: `id_token_file ${idToken.kind === 'file' ? idToken.path : ''}` }
        : { from: 'environment', what: `${ENV_ID_TOKEN_FILE} (${idToken.kind === 'file' ? idToken.path : ''})` },
    ]);
    return {
      kind: 'oidc',
      source: `OIDC federation at ${iamEndpoint}; ${source}`,
      idpId,
      idToken,
      ...(domainId !== undefined && { domainId }),
      iamEndpoint,
      durationSeconds: Math.floor(durationMs / 1000),
    };
  },
});
