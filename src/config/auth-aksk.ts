import { Secret } from '../domain/secret.js';
import { authConfigMethod, describeSource } from './auth-method.js';
import { envValue } from './env.js';
import { nonEmpty, secretField } from './fields.js';

/** The variables the official Huawei SDKs read, so credentials that work with hcloud/the SDKs work here unchanged. */
export const ENV_AK = 'HUAWEICLOUD_SDK_AK';
export const ENV_SK = 'HUAWEICLOUD_SDK_SK';
/** Temporary AK/SK come with a security token, which must be sent (and signed) as X-Security-Token. */
export const ENV_SECURITY_TOKEN = 'HUAWEICLOUD_SDK_SECURITY_TOKEN';

/** SDK-HMAC-SHA256 request signing with an access key and its secret key. */
export const AKSK_CONFIG = authConfigMethod({
  name: 'aksk',
  description: 'AK/SK authentication (access_key)',
  shape: {
    access_key: nonEmpty.optional(),
    secret_key: secretField.optional(),
    secret_key_file: nonEmpty.optional(),
    security_token: secretField.optional(),
  },
  selectors: ['access_key', 'secret_key', 'secret_key_file'],
  named: ['access_key'],
  fromDefaults: ({ env }) => (envValue(env, ENV_AK) !== undefined && envValue(env, ENV_SK) !== undefined) || `environment ${ENV_AK} + ${ENV_SK} (not set)`,
  resolve(ctx) {
    const a = ctx.raw;
    const accessKey = a.access_key ?? envValue(ctx.env, ENV_AK);
    if (accessKey === undefined) ctx.problem('access_key', `required (or set the ${ENV_AK} environment variable)`);
    const sk = envValue(ctx.env, ENV_SK);
    const secretKey = ctx.secret(
      'secret_key',
      'secret_key_file',
      () => (sk === undefined ? undefined : { kind: 'inline', value: new Secret(sk) }),
      `required (set secret_key or secret_key_file, or the ${ENV_SK} environment variable)`,
    );
    if (accessKey === undefined || secretKey === undefined) return undefined;
    // The token belongs to the key pair: from the environment only with the environment's secret key.
    const skFromEnv = a.secret_key === undefined && a.secret_key_file === undefined;
    const envToken = skFromEnv ? envValue(ctx.env, ENV_SECURITY_TOKEN) : undefined;
    const securityToken = a.security_token ?? (envToken === undefined ? undefined : new Secret(envToken));
    const source = describeSource([
      a.access_key !== undefined ? { from: 'config', what: 'access_key' } : { from: 'environment', what: ENV_AK },
      a.secret_key !== undefined
        ? { from: 'config', what: 'secret_key' }
        : a.secret_key_file !== undefined
          ? { from: 'config', what: `secret_key_file ${secretKey.kind === 'file' ? secretKey.path : ''}` }
          : { from: 'environment', what: ENV_SK },
      ...(a.security_token !== undefined
        ? [{ from: 'config', what: 'security_token' } as const]
        : envToken !== undefined
          ? [{ from: 'environment', what: ENV_SECURITY_TOKEN } as const]
          : []),
    ]);
    return { kind: 'aksk', source, accessKey, secretKey, ...(securityToken !== undefined && { securityToken }) };
  },
});
