import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatProblems, parseConfig } from '../../src/config/load.js';
import { FIXTURES, fixture } from './helpers.js';

/** What an account without auth reports in an empty environment: every source the default chain tried. */
const NO_CREDENTIALS =
  'no credentials found: set one of token, token_file, access_key, user_name, idp_id, pod_identity, instance_metadata, credentials_file; tried environment HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (not set), environment HUAWEICLOUD_SDK_IDP_ID + HUAWEICLOUD_SDK_ID_TOKEN_FILE (not set), pod identity HC_CONTAINER_CREDENTIALS_FULL_URI + HC_CONTAINER_AUTHORIZATION_TOKEN_FILE (not set), profile file (HUAWEICLOUD_SDK_CREDENTIALS_FILE and HOME not set) (instance metadata is never tried unasked)';

const FIXTURE_ENV = { CLOUDDC_TOKEN: 'tok-from-env' };

function parseFixture(name: string) {
  return parseConfig(fixture(name), { env: FIXTURE_ENV, baseDir: FIXTURES, source: name });
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
    const expected = readFileSync(join(FIXTURES, name.replace(/\.yaml$/, '.expected')), 'utf8')
      .trimEnd()
      .split('\n');
    expect(parseFixture(name)).toEqual({ ok: false, problems: expected });
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
      'poll.timeout: invalid duration (use e.g. 500ms, 10s, 5m, 1h30m)',
      'poll.concurency: unknown key (did you mean "concurrency"?)',
      `accounts.a.auth: ${NO_CREDENTIALS}`,
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
    expect(r.ok && [r.value.poll.concurrency, r.value.poll.retries]).toEqual([32, 0]);
    expect(parseConfig(`poll: {concurrency: "8x"}\n${base}`, { env: {}, baseDir: '/' })).toEqual({
      ok: false,
      problems: ['poll.concurrency: expected an integer, got a string'],
    });
  });

  test('export_id: a YAML number becomes its decimal string', () => {
    const r = parseConfig(`${base}exports: [{server_id: s, export_id: 0}, {server_id: s, export_id: 42}]`, { env: {}, baseDir: '/' });
    expect(r.ok && r.value.exports.map((e) => e.exportId)).toEqual(['0', '42']);
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
