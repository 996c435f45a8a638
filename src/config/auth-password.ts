import { authConfigMethod } from './auth-method.js';
import { durationField, httpUrl, nonEmpty, secretField } from './fields.js';

const DAY_MS = 24 * 3_600_000;

export const PASSWORD_DEFAULTS = {
  refreshBeforeMs: 3_600_000,
} as const;

/** An IAM user's password, exchanged for a project-scoped token that the exporter renews. */
export const PASSWORD_CONFIG = authConfigMethod({
  name: 'password',
  description: 'password authentication (user_name)',
  shape: {
    user_name: nonEmpty.optional(),
    password: secretField.optional(),
    password_file: nonEmpty.optional(),
    domain_name: nonEmpty.optional(),
    auth_url: httpUrl.optional(),
    project_name: nonEmpty.optional(),
    // A token lives 24h; renewing earlier than that would mean renewing on every poll.
    refresh_before: durationField({ max: DAY_MS, below: true }).optional(),
  },
  selectors: ['user_name', 'password', 'password_file'],
  named: ['user_name'],
  resolve(ctx) {
    const a = ctx.raw;
    if (a.user_name === undefined) ctx.problem('user_name', 'required with password or password_file');
    const password = ctx.secret('password', 'password_file', () => undefined, 'required (set password or password_file)');
    if (a.domain_name === undefined) ctx.problem('domain_name', 'required for password authentication');
    const authUrl = a.auth_url ?? (ctx.region === undefined ? undefined : `https://iam.${ctx.region}.myhuaweicloud.com/v3`);
    if (authUrl === undefined) {
      ctx.problem('auth_url', 'required when the account has no region');
    } else if (a.auth_url !== undefined && !authUrl.endsWith('/v3')) {
      ctx.problem('auth_url', 'must end in /v3, e.g. https://iam.cn-east-3.myhuaweicloud.com/v3');
    }
    if (a.user_name === undefined || password === undefined || a.domain_name === undefined || authUrl === undefined) return undefined;
    return {
      kind: 'password',
      source: `config: user_name ${a.user_name}, ${password.kind === 'file' ? `password_file ${password.path}` : 'password'}`,
      userName: a.user_name,
      password,
      domainName: a.domain_name,
      authUrl,
      ...(a.project_name !== undefined && { projectName: a.project_name }),
      refreshBeforeMs: a.refresh_before ?? PASSWORD_DEFAULTS.refreshBeforeMs,
    };
  },
});
