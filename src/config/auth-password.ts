import { IamTokenAuthenticator } from '../clouddc/auth/iam-token.js';
import { DEFAULTS } from './schema.js';
import type { AuthMethod } from './auth-method.js';

/** An IAM user's password, exchanged for a project-scoped token that the exporter renews. */
export const PASSWORD_METHOD: AuthMethod<'password'> = {
  kind: 'password',
  description: 'password authentication (user_name)',
  fields: ['user_name', 'password', 'password_file', 'domain_name', 'auth_url', 'project_name', 'refresh_before'],
  selectors: ['user_name', 'password', 'password_file'],
  named: ['user_name'],
  reports: { iamTokens: true },
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
      userName: a.user_name,
      password,
      domainName: a.domain_name,
      authUrl,
      ...(a.project_name !== undefined && { projectName: a.project_name }),
      refreshBeforeMs: a.refresh_before ?? DEFAULTS.refreshBeforeMs,
    };
  },
  authenticator: (settings, ctx) =>
    new IamTokenAuthenticator({
      account: ctx.account,
      projectId: ctx.projectId,
      logger: ctx.logger,
      observer: ctx.observer,
      ...(ctx.now && { now: ctx.now }),
      settings,
      timeoutMs: ctx.timeoutMs,
    }),
};
