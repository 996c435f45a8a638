import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatProblems, parseConfig } from '../../src/config/load.js';
import { FIXTURES, fixture, plain } from './helpers.js';

const FIXTURE_ENV = { CLOUDDC_TOKEN: 'tok-from-env' };

function parseFixture(name: string, env: NodeJS.ProcessEnv = FIXTURE_ENV) {
  return parseConfig(fixture(name), { env, baseDir: FIXTURES, source: name });
}

const DEFAULT_POLL = {
  schedule: '*/30 * * * * *',
  concurrency: 4,
  timeoutMs: 10_000,
  retries: 2,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  spread: true,
};
const DEFAULT_RETENTION = { completedMs: 86_400_000, notFoundMs: 3_600_000, failedMs: 7 * 86_400_000 };
const DEFAULT_RATE = { requestsPerSecond: 10, burst: 20 };

describe('valid fixtures give exactly the expected model', () => {
  test('valid-minimal.yaml: defaults everywhere', () => {
    const r = parseFixture('valid-minimal.yaml');
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.value)).toStrictEqual({
      poll: DEFAULT_POLL,
      retention: DEFAULT_RETENTION,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: '0123456789abcdef0123456789abcdef',
          auth: { kind: 'token', source: 'config: token', token: { kind: 'inline', value: { secret: 'tok-from-env' } } },
          rateLimit: DEFAULT_RATE,
        },
      },
      exports: [],
    });
  });

  test('valid-empty-sections.yaml: keys without values are unset', () => {
    const r = parseFixture('valid-empty-sections.yaml');
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.value)).toStrictEqual({
      poll: DEFAULT_POLL,
      retention: DEFAULT_RETENTION,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: 'p1',
          auth: { kind: 'token', source: 'config: token', token: { kind: 'inline', value: { secret: 'literal-token' } } },
          rateLimit: DEFAULT_RATE,
        },
      },
      exports: [],
    });
  });

  test('valid-env-aksk.yaml: AK/SK and project id from the SDK environment variables', () => {
    const env = { HUAWEICLOUD_SDK_AK: 'AKENV', HUAWEICLOUD_SDK_SK: 'SKENV', HUAWEICLOUD_SDK_PROJECT_ID: 'p-env' };
    const r = parseFixture('valid-env-aksk.yaml', env);
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.value)).toStrictEqual({
      poll: DEFAULT_POLL,
      retention: DEFAULT_RETENTION,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-north-4',
          endpoint: 'https://clouddc.cn-north-4.myhuaweicloud.com',
          projectId: 'p-env',
          auth: {
            kind: 'aksk',
            source: 'environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK',
            accessKey: 'AKENV',
            secretKey: { kind: 'inline', value: { secret: 'SKENV' } },
          },
          rateLimit: DEFAULT_RATE,
        },
      },
      exports: [{ projectId: 'p-env', serverId: 's1', exportId: '9', account: 'main', name: '', labels: {} }],
    });
  });

  test('valid-full.yaml: every field', () => {
    const r = parseFixture('valid-full.yaml', { SK_SOUTH: 'sk-south-value' });
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect([...r.value.accounts.keys()]).toEqual(['east', 'south.aksk', 'iam', 'iam_defaults']);
    expect(plain(r.value)).toStrictEqual({
      poll: {
        schedule: '0 */5 * * * *',
        concurrency: 16,
        timeoutMs: 90_000,
        retries: 0,
        backoffInitialMs: 250,
        backoffMaxMs: 60_000,
        spread: false,
      },
      retention: { completedMs: 7_200_000, notFoundMs: 600_000, failedMs: 259_200_000 },
      accounts: {
        east: {
          name: 'east',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: 'p-east',
          auth: {
            kind: 'token',
            source: `config: token_file ${join(FIXTURES, 'secrets/token')}`,
            token: { kind: 'file', path: join(FIXTURES, 'secrets/token') },
          },
          rateLimit: DEFAULT_RATE,
        },
        'south.aksk': {
          name: 'south.aksk',
          region: 'cn-south-1',
          endpoint: 'https://proxy.example.test:8443/clouddc',
          projectId: 'p-south',
          auth: {
            kind: 'aksk',
            source: 'config: access_key, secret_key, security_token',
            accessKey: 'AKEXAMPLE',
            secretKey: { kind: 'inline', value: { secret: 'sk-south-value' } },
            securityToken: { secret: 'st-${literal}' },
          },
          rateLimit: { requestsPerSecond: 2.5, burst: 5 },
        },
        iam: {
          name: 'iam',
          region: '',
          endpoint: 'http://clouddc.internal.test',
          projectId: 'p-iam',
          auth: {
            kind: 'password',
            source: 'config: user_name ops, password_file /run/secrets/iam-password',
            userName: 'ops',
            password: { kind: 'file', path: '/run/secrets/iam-password' },
            domainName: 'acme',
            authUrl: 'https://iam.internal.test/v3',
            projectName: 'cn-east-3_sub',
            refreshBeforeMs: 7_200_000,
          },
          rateLimit: DEFAULT_RATE,
        },
        iam_defaults: {
          name: 'iam_defaults',
          region: 'ap-southeast-3',
          endpoint: 'https://clouddc.ap-southeast-3.myhuaweicloud.com',
          projectId: 'p-ap',
          auth: {
            kind: 'password',
            source: 'config: user_name ops, password',
            userName: 'ops',
            password: { kind: 'inline', value: { secret: 'pa$word' } },
            domainName: 'acme',
            authUrl: 'https://iam.ap-southeast-3.myhuaweicloud.com/v3',
            refreshBeforeMs: 3_600_000,
          },
          rateLimit: DEFAULT_RATE,
        },
      },
      exports: [
        {
          projectId: 'p-east',
          serverId: '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8',
          exportId: '7',
          account: 'east',
          name: 'rack12-u07',
          labels: { ticket: 'INC-1234', priority: '2', urgent: 'true', empty: '' },
        },
        { projectId: 'p-other', serverId: 's2', exportId: '7', account: 'south.aksk', name: '', labels: {} },
        { projectId: 'p-iam', serverId: 's2', exportId: '7', account: 'iam', name: '', labels: {} },
        {
          projectId: 'p-ap',
          serverId: 'server with spaces?and %2F',
          exportId: 'export:1',
          account: 'iam_defaults',
          name: '',
          labels: {},
        },
      ],
    });
  });
});

test('config.example.yaml parses with CLOUDDC_TOKEN set', () => {
  const path = join(FIXTURES, '../../../config.example.yaml');
  const r = parseConfig(readFileSync(path, 'utf8'), { env: { CLOUDDC_TOKEN: 'example-token' }, baseDir: '/', source: 'config.example.yaml' });
  if (!r.ok) throw new Error(formatProblems(r.problems));
  expect(r.value.poll).toEqual(DEFAULT_POLL);
  expect([...r.value.accounts.keys()]).toEqual(['main']);
  const auth = r.value.accounts.get('main')?.auth;
  expect(auth?.kind === 'token' && auth.token.kind === 'inline' && auth.token.value.reveal()).toBe('example-token');
  expect(r.value.exports).toHaveLength(2);
  expect(parseConfig(readFileSync(path, 'utf8'), { env: {}, baseDir: '/' })).toEqual({
    ok: false,
    problems: ['accounts.main.auth.token: environment variable CLOUDDC_TOKEN is not set'],
  });
});
