import { z } from 'zod';
import { authConfigMethod } from './auth-method.js';
import { httpUrl } from './fields.js';

/** The ECS/BMS metadata service; only ever asked when the config says so. */
export const DEFAULT_METADATA_ENDPOINT = 'http://169.254.169.254';

/** Instance metadata: the temporary AK/SK + security token of the agency bound to the ECS/BMS instance. */
export const METADATA_CONFIG = authConfigMethod({
  name: 'metadata',
  description: 'instance metadata (instance_metadata: true)',
  shape: {
    instance_metadata: z.literal(true, { error: 'must be true (remove the key to use another method)' }).optional(),
    metadata_endpoint: httpUrl.optional(),
  },
  selectors: ['instance_metadata', 'metadata_endpoint'],
  named: ['instance_metadata'],
  resolve(ctx) {
    if (ctx.raw.instance_metadata !== true) {
      ctx.problem('instance_metadata', 'required with metadata_endpoint (set instance_metadata: true)');
      return undefined;
    }
    const endpoint = ctx.raw.metadata_endpoint ?? DEFAULT_METADATA_ENDPOINT;
    return { kind: 'metadata', source: `instance metadata at ${endpoint}`, endpoint };
  },
});
