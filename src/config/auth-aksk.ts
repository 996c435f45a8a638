import { Secret } from '../domain/secret.js';
import { authConfigMethod } from './auth-method.js';
import { envValue } from './env.js';
import { nonEmpty, secretField } from './fields.js';

/** The variables the official Huawei SDKs read, so credentials that work with hcloud/the SDKs work here unchanged. */
export const ENV_AK = 'HUAWEICLOUD_SDK_AK';
export const ENV_SK = 'HUAWEICLOUD_SDK_SK';

/** SDK-HMAC-SHA256 request signing with an access key and its secret key. */
export const AKSK_CONFIG = authConfigMethod({
  kind: 'aksk',
  description: 'AK/SK authentication (access_key)',
  shape: {
    access_key: nonEmpty.optional(),
    secret_key: secretField.optional(),
    secret_key_file: nonEmpty.optional(),
    security_token: secretField.optional(),
  },
  selectors: ['access_key', 'secret_key', 'secret_key_file'],
  named: ['access_key'],
  chosenByEnv: (env) => envValue(env, ENV_AK) !== undefined && envValue(env, ENV_SK) !== undefined,
  resolve(ctx) {
    const accessKey = ctx.raw.access_key ?? envValue(ctx.env, ENV_AK);
    if (accessKey === undefined) ctx.problem('access_key', `required (or set the ${ENV_AK} environment variable)`);
    const sk = envValue(ctx.env, ENV_SK);
    const secretKey = ctx.secret(
      'secret_key',
      'secret_key_file',
      () => (sk === undefined ? undefined : { kind: 'inline', value: new Secret(sk) }),
      `required (set secret_key or secret_key_file, or the ${ENV_SK} environment variable)`,
    );
    if (accessKey === undefined || secretKey === undefined) return undefined;
    return { kind: 'aksk', accessKey, secretKey, ...(ctx.raw.security_token && { securityToken: ctx.raw.security_token }) };
  },
});
