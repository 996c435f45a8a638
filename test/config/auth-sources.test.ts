import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readBoundedSync } from '../../src/files/bounded-read.js';
import { plain } from './helpers.js';

/** The SDKs' credential sources: OIDC, pod identity, instance metadata, the profile file and the default chain. */

const dir = mkdtempSync(join(tmpdir(), 'clouddc-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const readFile = (path: string) => readBoundedSync(path, 'secret');

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function auth(block: string | undefined, env: NodeJS.ProcessEnv, account = 'region: cn-east-3, project_id: p1') {
  const authPart = block === undefined ? '' : `, auth: ${block}`;
  const r = parseConfig(`accounts:\n  main: {${account}${authPart}}\n`, { env, baseDir: '/etc/clouddc', readFile });
  return r.ok ? plain(r.value.accounts.get('main')?.auth) : r.problems;
}

const IAM = 'https://iam.cn-east-3.myhuaweicloud.com';
const OIDC_ENV = { HUAWEICLOUD_SDK_IDP_ID: 'idp-env', HUAWEICLOUD_SDK_ID_TOKEN_FILE: '/var/run/oidc/token' };
const POD_ENV = { HC_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/v1/credential', HC_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/pod/token' };
const AKSK_ENV = { HUAWEICLOUD_SDK_AK: 'AKENV', HUAWEICLOUD_SDK_SK: 'SKENV' };

describe('oidc', () => {
  test('from the config: the IAM endpoint of the region, 6 h keys, the token file relative to the config', () => {
    expect(auth('{idp_id: idp-1, id_token_file: oidc/token}', {})).toStrictEqual({
      kind: 'oidc',
      source: `OIDC federation at ${IAM}; config: idp_id idp-1, id_token_file /etc/clouddc/oidc/token`,
      idpId: 'idp-1',
      idToken: { kind: 'file', path: '/etc/clouddc/oidc/token' },
      iamEndpoint: IAM,
      durationSeconds: 21_600,
    });
  });

  test('from the SDK variables, with HUAWEICLOUD_SDK_IAM_ENDPOINT written without a scheme, and the domain id', () => {
    expect(auth(undefined, { ...OIDC_ENV, HUAWEICLOUD_SDK_IAM_ENDPOINT: 'iam.example.test', HUAWEICLOUD_SDK_DOMAIN_ID: 'dom-1' })).toStrictEqual({
      kind: 'oidc',
      source: 'OIDC federation at https://iam.example.test; environment: HUAWEICLOUD_SDK_IDP_ID (idp-env), HUAWEICLOUD_SDK_ID_TOKEN_FILE (/var/run/oidc/token)',
      idpId: 'idp-env',
      idToken: { kind: 'file', path: '/var/run/oidc/token' },
      domainId: 'dom-1',
      iamEndpoint: 'https://iam.example.test',
      durationSeconds: 21_600,
    });
  });

  test('iam_endpoint and duration from the config', () => {
    expect(auth('{idp_id: i, id_token_file: /t, iam_endpoint: "https://iam.test/", duration: 1h}', {})).toMatchObject({
      iamEndpoint: 'https://iam.test',
      durationSeconds: 3600,
    });
  });

  test.each([
    [
      '{idp_id: i}',
      {},
      'region: r, project_id: p',
      ['accounts.main.auth.id_token_file: required (or set the HUAWEICLOUD_SDK_ID_TOKEN_FILE environment variable)'],
    ],
    ['{id_token_file: /t}', {}, 'region: r, project_id: p', ['accounts.main.auth.idp_id: required (or set the HUAWEICLOUD_SDK_IDP_ID environment variable)']],
    [
      '{idp_id: i, id_token_file: /t}',
      {},
      'endpoint: "https://x.test", project_id: p',
      ['accounts.main.auth.iam_endpoint: required when the account has no region (or set HUAWEICLOUD_SDK_IAM_ENDPOINT)'],
    ],
    [
      '{idp_id: i, id_token_file: /t, duration: 10m}',
      {},
      'region: r, project_id: p',
      ['accounts.main.auth.duration: must be at least 15m (IAM issues temporary keys for 15m to 24h)'],
    ],
    ['{idp_id: i, id_token_file: /t, duration: 25h}', {}, 'region: r, project_id: p', ['accounts.main.auth.duration: must be at most 1d']],
    [
      '{idp_id: i, id_token_file: /t}',
      { HUAWEICLOUD_SDK_IAM_ENDPOINT: 'https://u:p@iam.test' },
      'region: r, project_id: p',
      ['accounts.main.auth.iam_endpoint: environment variable HUAWEICLOUD_SDK_IAM_ENDPOINT: must not contain credentials; use the auth block'],
    ],
    [
      '{idp_id: i, id_token_file: /t, access_key: AK}',
      {},
      'region: r, project_id: p',
      [`accounts.main.auth: exactly one of token, token_file, access_key, user_name, idp_id, pod_identity, instance_metadata, credentials_file must be set`],
    ],
    [
      '{idp_id: i, id_token_file: /t, security_token: st}',
      {},
      'region: r, project_id: p',
      ['accounts.main.auth.security_token: only valid with AK/SK authentication (access_key)'],
    ],
  ])('%s in %j → path by path', (block, env, account, expected) => {
    expect(auth(block, env, account)).toEqual(expected);
  });
});

describe('pod_identity', () => {
  test('from CCE variables', () => {
    expect(auth('{pod_identity: true}', POD_ENV)).toStrictEqual({
      kind: 'pod_identity',
      source:
        'pod identity at http://127.0.0.1:9/v1/credential with token file /var/run/pod/token (environment: HC_CONTAINER_CREDENTIALS_FULL_URI; environment: HC_CONTAINER_AUTHORIZATION_TOKEN_FILE)',
      endpoint: 'http://127.0.0.1:9/v1/credential',
      token: { kind: 'file', path: '/var/run/pod/token' },
    });
  });

  test('config overrides win over the variables', () => {
    expect(auth('{pod_identity: true, pod_identity_endpoint: "http://127.0.0.1:9/c", pod_identity_token_file: tok}', POD_ENV)).toMatchObject({
      endpoint: 'http://127.0.0.1:9/c',
      token: { kind: 'file', path: '/etc/clouddc/tok' },
    });
  });

  test.each([
    [
      '{pod_identity: true}',
      {},
      [
        'accounts.main.auth.pod_identity_endpoint: required (or set the HC_CONTAINER_CREDENTIALS_FULL_URI environment variable)',
        'accounts.main.auth.pod_identity_token_file: required (or set the HC_CONTAINER_AUTHORIZATION_TOKEN_FILE environment variable)',
      ],
    ],
    ['{pod_identity: false}', POD_ENV, ['accounts.main.auth.pod_identity: must be true (remove the key to use another method)']],
    [
      '{pod_identity: true}',
      { ...POD_ENV, HC_CONTAINER_CREDENTIALS_FULL_URI: 'ftp://x' },
      ['accounts.main.auth.pod_identity_endpoint: environment variable HC_CONTAINER_CREDENTIALS_FULL_URI: must be an http:// or https:// URL'],
    ],
  ])('%s in %j → path by path', (block, env, expected) => {
    expect(auth(block, env)).toEqual(expected);
  });
});

// Parsing only: no test sends anything to the metadata address. Tests that connect set metadata_endpoint to the
// simulator's loopback listener (agency.url).
describe('instance metadata', () => {
  test('only when asked, at 169.254.169.254 by default or at metadata_endpoint', () => {
    expect(auth('{instance_metadata: true}', {})).toStrictEqual({
      kind: 'metadata',
      source: 'instance metadata at http://169.254.169.254',
      endpoint: 'http://169.254.169.254',
    });
    expect(auth('{instance_metadata: true, metadata_endpoint: "http://127.0.0.1:8080/"}', {})).toMatchObject({ endpoint: 'http://127.0.0.1:8080' });
    expect(auth('{metadata_endpoint: "http://127.0.0.1:8080"}', {})).toEqual([
      'accounts.main.auth.instance_metadata: required with metadata_endpoint (set instance_metadata: true)',
    ]);
    expect(auth('{instance_metadata: true, metadata_endpoint: "http://127.0.0.1:8080", idp_id: i}', {})).toEqual([
      'accounts.main.auth: exactly one of token, token_file, access_key, user_name, idp_id, pod_identity, instance_metadata, credentials_file must be set',
    ]);
  });
});

describe('the profile file', () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.huaweicloud'), { recursive: true });
  writeFileSync(
    join(home, '.huaweicloud', 'credentials'),
    [
      '# written by hcloud',
      '[basic]',
      'ak = AKPROFILE',
      'sk = "SK;with#chars"  ; comment',
      'security_token: st-profile',
      '',
      '[global]',
      'ak=AKG',
      'sk=SKG',
      '',
    ].join('\n'),
  );

  test('~/.huaweicloud/credentials, section basic: AK/SK with security token, quotes and comments as the SDK reads them', () => {
    expect(auth(undefined, { HOME: home })).toStrictEqual({
      kind: 'aksk',
      source: `profile file ${home}/.huaweicloud/credentials [basic]: ak, sk, security_token`,
      accessKey: 'AKPROFILE',
      secretKey: { kind: 'inline', value: { secret: 'SK;with#chars' } },
      securityToken: { secret: 'st-profile' },
    });
  });

  test('credentials_file and profile_section in the config, relative to the config file', () => {
    const path = file('creds.ini', '[ops]\nak=AK1\nsk=SK1 # trailing\n');
    const r = parseConfig(`accounts:\n  main: {region: r, project_id: p, auth: {credentials_file: creds.ini, profile_section: ops}}\n`, {
      env: {},
      baseDir: dir,
      readFile,
    });
    expect(r.ok && plain(r.value.accounts.get('main')?.auth)).toStrictEqual({
      kind: 'aksk',
      source: `profile file ${path} [ops]: ak, sk`,
      accessKey: 'AK1',
      secretKey: { kind: 'inline', value: { secret: 'SK1' } },
    });
  });

  test('idp_id and id_token_file make it OIDC, and win over ak and sk as in the SDKs', () => {
    const path = file('oidc.ini', '[basic]\nak=AK\nsk=SK\nidp_id=idp-p\nid_token_file=token\niam_endpoint=iam.p.test\ndomain_id=d1\n');
    expect(auth(`{credentials_file: ${path}}`, {})).toStrictEqual({
      kind: 'oidc',
      source: `OIDC federation at https://iam.p.test; profile file ${path} [basic]: idp_id idp-p, id_token_file`,
      idpId: 'idp-p',
      idToken: { kind: 'file', path: join(dir, 'token') },
      domainId: 'd1',
      iamEndpoint: 'https://iam.p.test',
      durationSeconds: 21_600,
    });
  });

  test.each([
    [
      'broken.ini',
      '[basic]\nak = A\nthis line is neither\n',
      (p: string) => `accounts.main.auth.credentials_file: profile file ${p}, line 3: expected key = value`,
    ],
    ['unclosed.ini', '[basic\nak=A\n', (p: string) => `accounts.main.auth.credentials_file: profile file ${p}, line 1: unclosed section header`],
    ['nosection.ini', '[other]\nak=A\nsk=B\n', (p: string) => `accounts.main.auth.credentials_file: profile file ${p} has no section [basic] (it has [other])`],
    [
      'nosk.ini',
      '[basic]\nak=A\n',
      (p: string) => `accounts.main.auth.credentials_file: profile file ${p} [basic] has no sk: a profile needs ak and sk, or idp_id and id_token_file`,
    ],
    [
      'noidtoken.ini',
      '[basic]\nidp_id=i\n',
      (p: string) =>
        `accounts.main.auth.credentials_file: profile file ${p} [basic] has no id_token_file: a profile needs ak and sk, or idp_id and id_token_file`,
    ],
    ['empty.ini', '', (p: string) => `accounts.main.auth.credentials_file: profile file ${p} has no section [basic]`],
  ])('%s: one problem with its line or what is missing', (name, text, expected) => {
    const path = file(name, text);
    expect(auth(`{credentials_file: ${path}}`, {})).toEqual([expected(path)]);
  });

  test('an unreadable file, a directory, a missing profile_section', () => {
    expect(auth(`{credentials_file: ${join(dir, 'missing.ini')}}`, {})).toEqual([
      `accounts.main.auth.credentials_file: cannot read profile file ${join(dir, 'missing.ini')}: no such file`,
    ]);
    expect(auth(`{credentials_file: ${dir}}`, {})).toEqual([`accounts.main.auth.credentials_file: cannot read profile file ${dir}: is a directory`]);
    const path = file('two.ini', '[a]\nak=1\nsk=2\n[b]\nak=3\nsk=4\n');
    expect(auth(`{credentials_file: ${path}, profile_section: c}`, {})).toEqual([
      `accounts.main.auth.profile_section: profile file ${path} has no section [c] (it has [a], [b])`,
    ]);
  });
});

describe('the default chain, with no key naming a method', () => {
  const profile = file('chain.ini', '[basic]\nak=AKP\nsk=SKP\n');
  const all = { ...AKSK_ENV, ...OIDC_ENV, ...POD_ENV, HUAWEICLOUD_SDK_CREDENTIALS_FILE: profile };

  test('environment AK/SK, then environment OIDC, then pod identity, then the profile file', () => {
    const kindOf = (env: NodeJS.ProcessEnv) => (auth(undefined, env) as { kind?: string }).kind;
    expect(kindOf(all)).toBe('aksk');
    expect((auth(undefined, all) as { source: string }).source).toBe('environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK');
    expect(kindOf({ ...OIDC_ENV, ...POD_ENV, HUAWEICLOUD_SDK_CREDENTIALS_FILE: profile })).toBe('oidc');
    expect(kindOf({ ...POD_ENV, HUAWEICLOUD_SDK_CREDENTIALS_FILE: profile })).toBe('pod_identity');
    expect(kindOf({ HUAWEICLOUD_SDK_CREDENTIALS_FILE: profile })).toBe('aksk');
  });

  test('none found: one error naming every source tried, the profile file with why, and never the metadata address', () => {
    const problems = auth(undefined, { HOME: join(dir, 'nobody'), HUAWEICLOUD_SDK_IDP_ID: 'only-half' });
    expect(problems).toEqual([
      'accounts.main.auth: no credentials found: set one of token, token_file, access_key, user_name, idp_id, pod_identity, instance_metadata, credentials_file; ' +
        'tried environment HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (not set), environment HUAWEICLOUD_SDK_IDP_ID + HUAWEICLOUD_SDK_ID_TOKEN_FILE (not set), ' +
        'pod identity HC_CONTAINER_CREDENTIALS_FULL_URI + HC_CONTAINER_AUTHORIZATION_TOKEN_FILE (not set), ' +
        `profile file ${join(dir, 'nobody')}/.huaweicloud/credentials (no such file) (instance metadata is never tried unasked)`,
    ]);
  });

  test('a profile file that exists but is broken is reported, not skipped', () => {
    const broken = file('chain-broken.ini', '[basic]\nak=A\n');
    expect(auth(undefined, { HUAWEICLOUD_SDK_CREDENTIALS_FILE: broken })).toEqual([
      `accounts.main.auth: profile file ${broken} [basic] has no sk: a profile needs ak and sk, or idp_id and id_token_file`,
    ]);
  });
});

describe('temporary AK/SK from the environment', () => {
  test('HUAWEICLOUD_SDK_SECURITY_TOKEN goes with the environment secret key, and only with it', () => {
    const env = { ...AKSK_ENV, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'st-env' };
    expect(auth(undefined, env)).toStrictEqual({
      kind: 'aksk',
      source: 'environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN',
      accessKey: 'AKENV',
      secretKey: { kind: 'inline', value: { secret: 'SKENV' } },
      securityToken: { secret: 'st-env' },
    });
    expect(auth('{access_key: AK, secret_key: SK}', env)).not.toHaveProperty('securityToken');
    expect(auth('{security_token: st-config}', env)).toMatchObject({ securityToken: { secret: 'st-config' } });
  });
});
