import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatProblems, parseConfig } from '../../src/config/load.js';
import { FIXTURES, fixture, plain } from './helpers.js';

const FIXTURE_ENV = { CLOUDDC_TOKEN: 'tok-from-env' };

function parseFixture(name: string, env: NodeJS.ProcessEnv = FIXTURE_ENV) {
  return parseConfig(fixture(name), { env, baseDir: FIXTURES, source: name });
}

describe('invalid fixtures report exactly the expected problems', () => {
  const invalid = readdirSync(FIXTURES)
    .filter((f) => f.startsWith('invalid-') && f.endsWith('.yaml'))
    .sort();

  test('there are fixtures, each with its .expected file', () => {
    expect(invalid.length).toBeGreaterThan(10);
    for (const name of invalid) expect(readdirSync(FIXTURES)).toContain(name.replace(/\.yaml$/, '.expected'));
  });

  test.each(invalid)('%s', (name) => {
    const expected = readFileSync(join(FIXTURES, name.replace(/\.yaml$/, '.expected')), 'utf8').trimEnd().split('\n');
    expect(parseFixture(name)).toEqual({ ok: false, problems: expected });
  });
});

const DEFAULT_POLL = {
  schedule: '*/30 * * * * *',
  concurrency: 4,
  timeoutMs: 10_000,
  retries: 2,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
};

describe('valid fixtures give exactly the expected model', () => {
  test('valid-minimal.yaml: defaults everywhere', () => {
    const r = parseFixture('valid-minimal.yaml');
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.config)).toStrictEqual({
      poll: DEFAULT_POLL,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: '0123456789abcdef0123456789abcdef',
          auth: { kind: 'token', token: { kind: 'inline', value: { secret: 'tok-from-env' } } },
        },
      },
      exports: [],
    });
  });

  test('valid-empty-sections.yaml: keys without values are unset', () => {
    const r = parseFixture('valid-empty-sections.yaml');
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.config)).toStrictEqual({
      poll: DEFAULT_POLL,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: 'p1',
          auth: { kind: 'token', token: { kind: 'inline', value: { secret: 'literal-token' } } },
        },
      },
      exports: [],
    });
  });

  test('valid-env-aksk.yaml: AK/SK and project id from the SDK environment variables', () => {
    const env = { HUAWEICLOUD_SDK_AK: 'AKENV', HUAWEICLOUD_SDK_SK: 'SKENV', HUAWEICLOUD_SDK_PROJECT_ID: 'p-env' };
    const r = parseFixture('valid-env-aksk.yaml', env);
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(plain(r.config)).toStrictEqual({
      poll: DEFAULT_POLL,
      accounts: {
        main: {
          name: 'main',
          region: 'cn-north-4',
          endpoint: 'https://clouddc.cn-north-4.myhuaweicloud.com',
          projectId: 'p-env',
          auth: { kind: 'aksk', accessKey: 'AKENV', secretKey: { kind: 'inline', value: { secret: 'SKENV' } } },
        },
      },
      exports: [{ projectId: 'p-env', serverId: 's1', exportId: '9', account: 'main', name: '', labels: {} }],
    });
  });

  test('valid-full.yaml: every field', () => {
    const r = parseFixture('valid-full.yaml', { SK_SOUTH: 'sk-south-value' });
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect([...r.config.accounts.keys()]).toEqual(['east', 'south.aksk', 'iam', 'iam_defaults']);
    expect(plain(r.config)).toStrictEqual({
      poll: {
        schedule: '0 */5 * * * *',
        concurrency: 16,
        timeoutMs: 90_000,
        retries: 0,
        backoffInitialMs: 250,
        backoffMaxMs: 60_000,
      },
      accounts: {
        east: {
          name: 'east',
          region: 'cn-east-3',
          endpoint: 'https://clouddc.cn-east-3.myhuaweicloud.com',
          projectId: 'p-east',
          auth: { kind: 'token', token: { kind: 'file', path: join(FIXTURES, 'secrets/token') } },
        },
        'south.aksk': {
          name: 'south.aksk',
          region: 'cn-south-1',
          endpoint: 'https://proxy.example.test:8443/clouddc',
          projectId: 'p-south',
          auth: {
            kind: 'aksk',
            accessKey: 'AKEXAMPLE',
            secretKey: { kind: 'inline', value: { secret: 'sk-south-value' } },
            securityToken: { secret: 'st-${literal}' },
          },
        },
        iam: {
          name: 'iam',
          region: '',
          endpoint: 'http://clouddc.internal.test',
          projectId: 'p-iam',
          auth: {
            kind: 'password',
            userName: 'ops',
            password: { kind: 'file', path: '/run/secrets/iam-password' },
            domainName: 'acme',
            authUrl: 'https://iam.internal.test/v3',
            projectName: 'cn-east-3_sub',
            refreshBeforeMs: 7_200_000,
          },
        },
        iam_defaults: {
          name: 'iam_defaults',
          region: 'ap-southeast-3',
          endpoint: 'https://clouddc.ap-southeast-3.myhuaweicloud.com',
          projectId: 'p-ap',
          auth: {
            kind: 'password',
            userName: 'ops',
            password: { kind: 'inline', value: { secret: 'pa$word' } },
            domainName: 'acme',
            authUrl: 'https://iam.ap-southeast-3.myhuaweicloud.com/v3',
            refreshBeforeMs: 3_600_000,
          },
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
          serverId: 'server with spaces/and slash',
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
  expect(r.config.poll).toEqual(DEFAULT_POLL);
  expect([...r.config.accounts.keys()]).toEqual(['main']);
  const auth = r.config.accounts.get('main')?.auth;
  expect(auth?.kind === 'token' && auth.token.kind === 'inline' && auth.token.value.reveal()).toBe('example-token');
  expect(r.config.exports).toHaveLength(2);
  expect(parseConfig(readFileSync(path, 'utf8'), { env: {}, baseDir: '/' })).toEqual({
    ok: false,
    problems: ['accounts.main.auth.token: environment variable CLOUDDC_TOKEN is not set'],
  });
});

test('a config with problems in every section reports all of them at once', () => {
  const text = `
poll:
  concurency: 8
  timeout: soon
accounts:
  a:
    region: cn-east-3
    project_id: p1
  b:
    region: cn-east-3
    project_id: p1
    auth: {token: "\${MISSING_TOKEN}"}
exports:
  - {server_id: s1, export_id: "1", account: a, labels: {__x: y}}
  - {server_id: s1, export_id: "1", account: zz}
  - {server_id: s1, export_id: "2", account: b}
  - {server_id: s1, export_id: "2", account: b}
`;
  expect(parseConfig(text, { env: {}, baseDir: '/' })).toEqual({
    ok: false,
    problems: [
      'accounts.b.auth.token: environment variable MISSING_TOKEN is not set',
      'poll.timeout: invalid duration "soon" (use e.g. 500ms, 10s, 5m, 1h30m)',
      'poll.concurency: unknown key (did you mean "concurrency"?)',
      'accounts.a.auth: exactly one of token, token_file, access_key, user_name must be set',
      'exports[0].labels.__x: label names starting with "__" are reserved for Prometheus',
      'exports[1].account: unknown account "zz" (known: a, b)',
      'exports[3]: duplicate of exports[2] (same project_id, server_id and export_id)',
    ],
  });
});

describe('details', () => {
  const base = 'accounts:\n  main: {region: cn-east-3, project_id: p1, auth: {token: t}}\n';

  test('integers may come from ${VAR} as digit strings', () => {
    const r = parseConfig(`poll: {concurrency: "\${C}", retries: "\${R}"}\n${base}`, { env: { C: '32', R: '0' }, baseDir: '/' });
    expect(r.ok && [r.config.poll.concurrency, r.config.poll.retries]).toEqual([32, 0]);
    expect(parseConfig(`poll: {concurrency: "8x"}\n${base}`, { env: {}, baseDir: '/' })).toEqual({
      ok: false,
      problems: ['poll.concurrency: expected an integer, got a string'],
    });
  });

  test('export_id: a YAML number becomes its decimal string', () => {
    const r = parseConfig(`${base}exports: [{server_id: s, export_id: 0}, {server_id: s, export_id: 42}]`, { env: {}, baseDir: '/' });
    expect(r.ok && r.config.exports.map((e) => e.exportId)).toEqual(['0', '42']);
  });

  test('the source name defaults to config.yaml', () => {
    expect(parseConfig('', { env: {}, baseDir: '/' })).toEqual({
      ok: false,
      problems: ['config.yaml: the file is empty; it needs at least an "accounts" section'],
    });
    expect(parseConfig('a: [', { env: {}, baseDir: '/' })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^config\.yaml:1:\d+: /)] });
  });

  test('a second YAML document is refused', () => {
    expect(parseConfig(`${base}---\n${base}`, { env: {}, baseDir: '/' })).toEqual({
      ok: false,
      problems: ['config.yaml:3:1: the file must hold a single YAML document (found a second "---")'],
    });
  });

  test('a cascade of YAML errors is cut short', () => {
    const r = parseConfig('a: [\n'.repeat(20), { env: {}, baseDir: '/' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.length).toBeLessThanOrEqual(6);
      expect(r.problems.at(-1)).toMatch(/^config\.yaml: \d+ more YAML syntax errors follow$/);
    }
  });

  test('unknown tags are problems, not silent strings', () => {
    expect(parseConfig(`poll: {schedule: !cron "* * * * *"}\n${base}`, { env: {}, baseDir: '/' })).toEqual({
      ok: false,
      problems: ['config.yaml:1:18: Unresolved tag: !cron'],
    });
  });

  test('formatProblems puts one problem per line', () => {
    expect(formatProblems(['a: x', 'b[1]: y'])).toBe('a: x\nb[1]: y');
  });
});
