import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { plain } from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clouddc-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string): Promise<string> {
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

test('a missing config file is one problem naming the file', async () => {
  const path = join(dir, 'nope.yaml');
  expect(await loadConfigFile(path, {})).toEqual({ ok: false, problems: [`${path}: cannot read: no such file`] });
});

test('YAML errors and whole-file problems are reported against the path given', async () => {
  const path = await writeConfig('accounts: [\n');
  const r = await loadConfigFile(path, {});
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.problems[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
});

test('relative *_file paths resolve against the config file directory and must be readable', async () => {
  await mkdir(join(dir, 'secrets'));
  await writeFile(join(dir, 'secrets', 'token'), 'file-token\n');
  const path = await writeConfig('accounts:\n  main:\n    region: cn-east-3\n    project_id: p1\n    auth: {token_file: secrets/token}\n');
  const r = await loadConfigFile(path, {});
  if (!r.ok) throw new Error(r.problems.join('\n'));
  expect(plain(r.value.accounts.get('main')?.auth)).toEqual({
    kind: 'token',
    source: `config: token_file ${join(dir, 'secrets', 'token')}`,
    token: { kind: 'file', path: join(dir, 'secrets', 'token') },
  });
});

test('every unreadable secret file is reported, together with the other problems', async () => {
  await mkdir(join(dir, 'a-directory'));
  const path = await writeConfig(
    [
      'poll: {retries: 99}',
      'accounts:',
      '  tok: {region: cn-east-3, project_id: p1, auth: {token_file: missing-token}}',
      '  aksk: {region: cn-east-3, project_id: p1, auth: {access_key: AK, secret_key_file: /nonexistent/dir/sk}}',
      '  pw: {region: cn-east-3, project_id: p1, auth: {user_name: u, password_file: a-directory, domain_name: d}}',
      '',
    ].join('\n'),
  );
  expect(await loadConfigFile(path, {})).toEqual({
    ok: false,
    problems: [
      'poll.retries: must be at most 10',
      `accounts.tok.auth.token_file: cannot read ${join(dir, 'missing-token')}: no such file`,
      'accounts.aksk.auth.secret_key_file: cannot read /nonexistent/dir/sk: no such file',
      `accounts.pw.auth.password_file: cannot read ${join(dir, 'a-directory')}: is a directory`,
    ],
  });
});

test('a *_file whose ${VAR} is unset is reported once, for the variable', async () => {
  const path = await writeConfig('accounts:\n  main: {region: cn-east-3, project_id: p1, auth: {token_file: "${TOKEN_PATH}"}}\n');
  expect(await loadConfigFile(path, {})).toEqual({
    ok: false,
    problems: ['accounts.main.auth.token_file: environment variable TOKEN_PATH is not set'],
  });
});

test('the environment defaults to process.env', async () => {
  const path = await writeConfig('accounts:\n  main: {region: cn-east-3, project_id: p1, auth: {token: "${PATH}"}}\n');
  const r = await loadConfigFile(path);
  expect(r.ok).toBe(true);
});
