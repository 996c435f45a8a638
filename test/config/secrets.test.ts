import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { formatProblems, parseConfig } from '../../src/config/load.js';
import { Secret } from '../../src/domain/secret.js';

/** Every secret below contains this marker, so one check per problem list covers them all. */
const MARK = 'hunter2';
const ENV = {
  ENV_SECRET: `${MARK}-from-env`,
  HUAWEICLOUD_SDK_SK: `${MARK}-sdk-sk`,
  CLOUDDC_TOKEN: `${MARK}-token-env`,
};
const ACCOUNT = 'region: cn-east-3, project_id: p1';

const BAD_CONFIGS: Record<string, string> = {
  'token of the wrong type (number)': `accounts:\n  a: {${ACCOUNT}, auth: {token: 98765432123}}\n`,
  'token of the wrong type (list)': `accounts:\n  a: {${ACCOUNT}, auth: {token: [${MARK}-a, ${MARK}-b]}}\n`,
  'token of the wrong type (mapping)': `accounts:\n  a: {${ACCOUNT}, auth: {token: {value: ${MARK}-c}}}\n`,
  'security_token of the wrong type': `accounts:\n  a: {${ACCOUNT}, auth: {access_key: AK, secret_key: s, security_token: 123456789}}\n`,
  'bad reference inside a password': `accounts:\n  a: {${ACCOUNT}, auth: {user_name: u, domain_name: d, password: "${MARK}-d\${oops ${MARK}}"}}\n`,
  'unterminated reference inside a password': `accounts:\n  a: {${ACCOUNT}, auth: {user_name: u, domain_name: d, password: "${MARK}-e\${"}}\n`,
  'credentials in the endpoint': `accounts:\n  a: {project_id: p, endpoint: "https://admin:${MARK}-f@x.test", auth: {token: t}}\n`,
  'secret as the endpoint': `accounts:\n  a: {project_id: p, endpoint: "${MARK}-g", auth: {token: t}}\n`,
  'secret under a misspelled key': `accounts:\n  a: {${ACCOUNT}, auth: {tokne: ${MARK}-h}}\n`,
  'secret under a key of another method': `accounts:\n  a: {${ACCOUNT}, auth: {token: t, security_token: ${MARK}-i}}\n`,
  'two secret keys': `accounts:\n  a: {${ACCOUNT}, auth: {access_key: AK, secret_key: ${MARK}-j, secret_key_file: f}}\n`,
  'two methods with secrets': `accounts:\n  a: {${ACCOUNT}, auth: {token: ${MARK}-k1, password: ${MARK}-k2}}\n`,
  'unterminated quote in a secret': `accounts:\n  a:\n    auth:\n      token: "${MARK}-l\n`,
  'stray secret after a list': `- a\nb: ${MARK}-m\n`,
  'block scalar header': `accounts: |${MARK}-n\n  x\n`,
  'bad escape in a secret': `accounts:\n  a: {auth: {token: "${MARK}\\q-o"}}\n`,
  'duplicate secret keys': `accounts:\n  a:\n    auth:\n      token: ${MARK}-p\n      token: ${MARK}-q\n`,
  'secret as a label value under a bad label name': `${'accounts:\n  a: {' + ACCOUNT + ', auth: {token: t}}'}\nexports: [{server_id: s, export_id: "1", labels: {bad-name: ${MARK}-r}}]\n`,
  'env secret in fields that fail validation': [
    'poll:',
    '  schedule: ${ENV_SECRET}',
    '  timeout: ${ENV_SECRET}',
    '  concurrency: ${ENV_SECRET}',
    'accounts:',
    '  a:',
    '    region: ${ENV_SECRET}',
    '    project_id: "${ENV_SECRET}\\u0001"',
    '    auth: {user_name: u, password: p, domain_name: d, auth_url: "${ENV_SECRET}", refresh_before: "${ENV_SECRET}"}',
    '  b: {endpoint: "${ENV_SECRET}", project_id: p, auth: {token: "${CLOUDDC_TOKEN}", access_key: "${ENV_SECRET}"}}',
    'exports:',
    '  - {server_id: "${ENV_SECRET}\\u0002", export_id: "1", account: a}',
    '',
  ].join('\n'),
  'env SK with a missing access key': `accounts:\n  a: {${ACCOUNT}, auth: {secret_key_file: f}}\n`,
};

describe('no secret value appears in any problem', () => {
  test.each(Object.entries(BAD_CONFIGS))('%s', (_, text) => {
    const r = parseConfig(text, { env: ENV, baseDir: '/' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    expect(formatProblems(r.problems)).not.toContain(MARK);
    // The number-typed token must not be echoed either.
    expect(formatProblems(r.problems)).not.toMatch(/98765432123|123456789/);
  });
});

describe('the parsed model prints no secret', () => {
  const text = [
    'accounts:',
    `  t: {${ACCOUNT}, auth: {token: "\${CLOUDDC_TOKEN}"}}`,
    `  k: {${ACCOUNT}, auth: {access_key: AK, security_token: ${MARK}-st}}`,
    `  p: {${ACCOUNT}, auth: {user_name: u, password: ${MARK}-pw, domain_name: d}}`,
    '',
  ].join('\n');

  test('through util.inspect, JSON and string conversion', () => {
    const r = parseConfig(text, { env: ENV, baseDir: '/' });
    if (!r.ok) throw new Error(formatProblems(r.problems));
    const accounts = Object.fromEntries(r.value.accounts);
    for (const printed of [inspect(r.value, { depth: 20 }), JSON.stringify(accounts), `${JSON.stringify(r.value.poll)}`]) {
      expect(printed).not.toContain(MARK);
    }
    expect(inspect(accounts, { depth: 20 })).toContain('<secret>');
    const secrets = [...r.value.accounts.values()].flatMap((a) => {
      switch (a.auth.kind) {
        case 'token':
          return a.auth.token.kind === 'inline' ? [a.auth.token.value] : [];
        case 'aksk':
          return [a.auth.secretKey.kind === 'inline' ? a.auth.secretKey.value : undefined, a.auth.securityToken];
        case 'password':
          return a.auth.password.kind === 'inline' ? [a.auth.password.value] : [];
        case 'oidc':
        case 'pod_identity':
        case 'metadata':
          return []; // their secrets are files, or fetched while running
      }
    });
    expect(secrets.map((s) => s instanceof Secret && s.reveal())).toEqual([`${MARK}-token-env`, `${MARK}-sdk-sk`, `${MARK}-st`, `${MARK}-pw`]);
    for (const s of secrets) expect(`${String(s)} ${s as unknown as string}`).toBe('<secret> <secret>');
  });
});
