import type { AccountSettings } from '../domain/config.js';
import { unroutableIdReason } from '../domain/path-id.js';
import { resolveAuth, type BuildContext, type SecretFileRef } from './auth.js';
import { envValue } from './env.js';
import { hasControlCharacters } from './fields.js';
import { parseAt } from './issues.js';
import { problem, type Path, type Problem } from './problems.js';
import { ACCOUNT_NAME, DEFAULTS, accountSchema } from './schema.js';

/** Same variable as the Huawei SDKs, so one environment serves the SDK tools and the exporter. */
export const ENV_PROJECT_ID = 'HUAWEICLOUD_SDK_PROJECT_ID';

export interface AccountResult {
  readonly account?: AccountSettings;
  readonly problems: Problem[];
  readonly files: SecretFileRef[];
}

function projectIdFromEnv(path: Path, ctx: BuildContext): { value?: string; problem?: Problem } {
  const fromEnv = envValue(ctx.env, ENV_PROJECT_ID);
  if (fromEnv === undefined) {
    return { problem: problem(path, `required (or set the ${ENV_PROJECT_ID} environment variable)`) };
  }
  if (hasControlCharacters(fromEnv)) {
    return { problem: problem(path, `environment variable ${ENV_PROJECT_ID} contains control characters`) };
  }
  const unroutable = unroutableIdReason(fromEnv);
  if (unroutable !== undefined) return { problem: problem(path, `environment variable ${ENV_PROJECT_ID} ${unroutable}`) };
  return { value: fromEnv };
}

/** One entry of `accounts:`, with its name checked, its defaults applied and its auth method resolved. */
export function buildAccount(name: string, value: unknown, ctx: BuildContext): AccountResult {
  const path: Path = ['accounts', name];
  const problems: Problem[] = [];
  if (!ACCOUNT_NAME.test(name)) {
    problems.push(problem(path, `invalid account name (must match ${ACCOUNT_NAME.source})`));
  }
  const parsed = parseAt(accountSchema, value, path);
  if (!parsed.ok) return { problems: [...problems, ...parsed.problems], files: [] };
  const raw = parsed.value;

  const region = raw.region;
  const endpoint = raw.endpoint ?? (region === undefined ? undefined : `https://clouddc.${region}.myhuaweicloud.com`);
  if (endpoint === undefined) problems.push(problem([...path, 'region'], 'required unless endpoint is set'));

  let projectId = raw.project_id;
  if (projectId === undefined) {
    const env = projectIdFromEnv([...path, 'project_id'], ctx);
    if (env.problem) problems.push(env.problem);
    projectId = env.value;
  }

  const auth = resolveAuth(raw.auth, region, [...path, 'auth'], ctx);
  problems.push(...auth.problems);
  if (problems.length > 0 || endpoint === undefined || projectId === undefined || auth.auth === undefined) {
    return { problems, files: auth.files };
  }
  return {
    account: {
      name,
      region: region ?? '',
      endpoint,
      projectId,
      auth: auth.auth,
      rateLimit: raw.rate_limit ?? { requestsPerSecond: DEFAULTS.requestsPerSecond, burst: DEFAULTS.burst },
      ...(raw.servers !== undefined && { servers: raw.servers }),
    },
    problems,
    files: auth.files,
  };
}
