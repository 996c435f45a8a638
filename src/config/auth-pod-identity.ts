import { resolve } from 'node:path';
import { z } from 'zod';
import type { SecretSource } from '../domain/config.js';
import { authConfigMethod } from './auth-method.js';
import { envValue } from './env.js';
import { httpUrl, nonEmpty } from './fields.js';

/** What CCE injects into a pod with pod identity, as the SDKs read it. */
export const ENV_POD_IDENTITY_URI = 'HC_CONTAINER_CREDENTIALS_FULL_URI';
export const ENV_POD_IDENTITY_TOKEN_FILE = 'HC_CONTAINER_AUTHORIZATION_TOKEN_FILE';

/**
 * CCE pod identity: temporary AK/SK + security token from the node's credential endpoint, asked with the pod's
 * projected token (re-read at every call). The endpoint and the token file come from CCE's variables unless
 * overridden here.
 */
export const POD_IDENTITY_CONFIG = authConfigMethod({
  name: 'pod_identity',
  description: 'pod identity (pod_identity: true)',
  shape: {
    pod_identity: z.literal(true, { error: 'must be true (remove the key to use another method)' }).optional(),
    pod_identity_endpoint: httpUrl.optional(),
    pod_identity_token_file: nonEmpty.optional(),
  },
  selectors: ['pod_identity', 'pod_identity_endpoint', 'pod_identity_token_file'],
  named: ['pod_identity'],
  fromDefaults: ({ env }) =>
    (envValue(env, ENV_POD_IDENTITY_URI) !== undefined && envValue(env, ENV_POD_IDENTITY_TOKEN_FILE) !== undefined) ||
    `pod identity ${ENV_POD_IDENTITY_URI} + ${ENV_POD_IDENTITY_TOKEN_FILE} (not set)`,
  resolve(ctx) {
    const a = ctx.raw;
    let endpoint = a.pod_identity_endpoint;
    const envUri = envValue(ctx.env, ENV_POD_IDENTITY_URI);
    if (endpoint === undefined && envUri !== undefined) {
      const parsed = httpUrl.safeParse(envUri);
      if (parsed.success) endpoint = parsed.data;
      else ctx.problem('pod_identity_endpoint', `environment variable ${ENV_POD_IDENTITY_URI}: ${parsed.error.issues[0]?.message ?? 'invalid URL'}`);
    } else if (endpoint === undefined) {
      ctx.problem('pod_identity_endpoint', `required (or set the ${ENV_POD_IDENTITY_URI} environment variable)`);
    }
    const envFile = envValue(ctx.env, ENV_POD_IDENTITY_TOKEN_FILE);
    let token: SecretSource | undefined;
    if (a.pod_identity_token_file !== undefined) token = ctx.secretFile('pod_identity_token_file', resolve(ctx.baseDir, a.pod_identity_token_file));
    else if (envFile !== undefined) token = ctx.secretFile(undefined, resolve(envFile));
    else ctx.problem('pod_identity_token_file', `required (or set the ${ENV_POD_IDENTITY_TOKEN_FILE} environment variable)`);
    if (endpoint === undefined || token === undefined) return undefined;
    const origin = [
      a.pod_identity_endpoint !== undefined ? 'config: pod_identity_endpoint' : `environment: ${ENV_POD_IDENTITY_URI}`,
      a.pod_identity_token_file !== undefined ? 'config: pod_identity_token_file' : `environment: ${ENV_POD_IDENTITY_TOKEN_FILE}`,
    ];
    const file = token.kind === 'file' ? token.path : '';
    return { kind: 'pod_identity', source: `pod identity at ${endpoint} with token file ${file} (${origin.join('; ')})`, endpoint, token };
  },
});
