import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { plain } from './helpers.js';

/** Parses one account with the given auth block (YAML flow text, or nothing) and returns its auth or problems. */
function auth(block: string | undefined, env: NodeJS.ProcessEnv, account = 'region: cn-east-3, project_id: p1') {
  const authPart = block === undefined ? '' : `, auth: ${block}`;
  const r = parseConfig(`accounts:\n  main: {${account}${authPart}}\n`, { env, baseDir: '/etc/clouddc' });
  return r.ok ? plain(r.value.accounts.get('main')?.auth) : r.problems;
}

const AKSK = { HUAWEICLOUD_SDK_AK: 'AKENV', HUAWEICLOUD_SDK_SK: 'SKENV' };
const ENV_SOURCE = 'environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK';
const METHODS = 'token, token_file, access_key, user_name, idp_id, pod_identity, instance_metadata, credentials_file';
const EXACTLY_ONE = [`accounts.main.auth: exactly one of ${METHODS} must be set`];
const NONE_FOUND = [
  `accounts.main.auth: no credentials found: set one of ${METHODS}; tried environment HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (not set), ` +
    'environment HUAWEICLOUD_SDK_IDP_ID + HUAWEICLOUD_SDK_ID_TOKEN_FILE (not set), pod identity HC_CONTAINER_CREDENTIALS_FULL_URI + ' +
    'HC_CONTAINER_AUTHORIZATION_TOKEN_FILE (not set), profile file (HUAWEICLOUD_SDK_CREDENTIALS_FILE and HOME not set) (instance metadata is never tried unasked)',
];

describe('method selection and the SDK environment variables', () => {
  test.each([
    [
      'absent auth, both env vars',
      undefined,
      AKSK,
      { kind: 'aksk', source: ENV_SOURCE, accessKey: 'AKENV', secretKey: { kind: 'inline', value: { secret: 'SKENV' } } },
    ],
    [
      'empty auth, both env vars',
      '{}',
      AKSK,
      { kind: 'aksk', source: ENV_SOURCE, accessKey: 'AKENV', secretKey: { kind: 'inline', value: { secret: 'SKENV' } } },
    ],
    ['absent auth, AK only', undefined, { HUAWEICLOUD_SDK_AK: 'AKENV' }, NONE_FOUND],
    ['absent auth, SK only', undefined, { HUAWEICLOUD_SDK_SK: 'SKENV' }, NONE_FOUND],
    ['absent auth, empty env vars', undefined, { HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '' }, NONE_FOUND],
    ['absent auth, no env', undefined, {}, NONE_FOUND],
    [
      'security_token only, both env vars',
      '{security_token: st}',
      AKSK,
      {
        kind: 'aksk',
        source: 'config: security_token; environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK',
        accessKey: 'AKENV',
        secretKey: { kind: 'inline', value: { secret: 'SKENV' } },
        securityToken: { secret: 'st' },
      },
    ],
    [
      'access_key given, SK from env',
      '{access_key: AKFILE}',
      { HUAWEICLOUD_SDK_SK: 'SKENV' },
      {
        kind: 'aksk',
        source: 'config: access_key; environment: HUAWEICLOUD_SDK_SK',
        accessKey: 'AKFILE',
        secretKey: { kind: 'inline', value: { secret: 'SKENV' } },
      },
    ],
    [
      'secret_key given, AK from env',
      '{secret_key: SKFILE}',
      { HUAWEICLOUD_SDK_AK: 'AKENV' },
      {
        kind: 'aksk',
        source: 'config: secret_key; environment: HUAWEICLOUD_SDK_AK',
        accessKey: 'AKENV',
        secretKey: { kind: 'inline', value: { secret: 'SKFILE' } },
      },
    ],
    [
      'secret_key_file given, AK from env, relative path',
      '{secret_key_file: keys/sk}',
      { HUAWEICLOUD_SDK_AK: 'AKENV' },
      {
        kind: 'aksk',
        source: 'config: secret_key_file /etc/clouddc/keys/sk; environment: HUAWEICLOUD_SDK_AK',
        accessKey: 'AKENV',
        secretKey: { kind: 'file', path: '/etc/clouddc/keys/sk' },
      },
    ],
    [
      'file values win over env',
      '{access_key: AKFILE, secret_key: SKFILE}',
      AKSK,
      { kind: 'aksk', source: 'config: access_key, secret_key', accessKey: 'AKFILE', secretKey: { kind: 'inline', value: { secret: 'SKFILE' } } },
    ],
    ['a token ignores the AK/SK env vars', '{token: t}', AKSK, { kind: 'token', source: 'config: token', token: { kind: 'inline', value: { secret: 't' } } }],
    ['token_file', '{token_file: /run/token}', {}, { kind: 'token', source: 'config: token_file /run/token', token: { kind: 'file', path: '/run/token' } }],
    ['token and password', '{token: t, user_name: u, password: p, domain_name: d}', {}, EXACTLY_ONE],
  ])('%s', (_, block, env, expected) => {
    expect(auth(block, env)).toEqual(expected);
  });
});

describe('password authentication', () => {
  test('defaults: auth_url from the region, refresh_before 1h, no project_name', () => {
    expect(auth('{user_name: u, password: p, domain_name: d}', {})).toStrictEqual({
      kind: 'password',
      source: 'config: user_name u, password',
      userName: 'u',
      password: { kind: 'inline', value: { secret: 'p' } },
      domainName: 'd',
      authUrl: 'https://iam.cn-east-3.myhuaweicloud.com/v3',
      refreshBeforeMs: 3_600_000,
    });
  });

  test('with an endpoint and no region, auth_url is required', () => {
    expect(auth('{user_name: u, password: p, domain_name: d}', {}, 'endpoint: "https://x.test", project_id: p1')).toEqual([
      'accounts.main.auth.auth_url: required when the account has no region',
    ]);
  });

  test('both password and password_file', () => {
    expect(auth('{user_name: u, password: p, password_file: f, domain_name: d}', {})).toEqual([
      'accounts.main.auth: only one of password, password_file may be set',
    ]);
  });
});

test('an account with an endpoint and no region has region ""', () => {
  const r = parseConfig('accounts:\n  main: {endpoint: "https://X.test:443/", project_id: p1, auth: {token: t}}\n', {
    env: {},
    baseDir: '/',
  });
  expect(r.ok && { region: r.value.accounts.get('main')?.region, endpoint: r.value.accounts.get('main')?.endpoint }).toEqual({
    region: '',
    endpoint: 'https://x.test',
  });
});

test('project_id falls back to HUAWEICLOUD_SDK_PROJECT_ID, and the file wins over it', () => {
  const env = { HUAWEICLOUD_SDK_PROJECT_ID: 'p-env' };
  const parse = (account: string) => {
    const r = parseConfig(`accounts:\n  main: {${account}, auth: {token: t}}\n`, { env, baseDir: '/' });
    return r.ok ? r.value.accounts.get('main')?.projectId : r.problems;
  };
  expect(parse('region: cn-east-3')).toBe('p-env');
  expect(parse('region: cn-east-3, project_id: p-file')).toBe('p-file');
});
