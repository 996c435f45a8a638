import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayAuth, startIamSimulator, startSimulator, type IamSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli, type Cli } from '../support/cli.js';

/**
 * Runs the built CLI with known secret values through every failure path: a refused static token, a wrong SK
 * (from the environment) and another from a file with a security token, IAM refusing a password, IAM not
 * answering, a CloudDC request timing out, and a working IAM login whose tokens are secrets too. Then searches
 * everything it printed and served for each secret, plain and base64-encoded.
 */

const PROJECT = '0123456789abcdef0123456789abcdef';
const S = {
  staticToken: 'MIIleak-static-token-5c1f0a9e7d3b',
  fileToken: 'MIIleak-file-token-8a2e4c6b1d09',
  envSk: 'LeakEnvSecretKey-2b7d9f1e3c5a7b9d',
  fileSk: 'LeakFileSecretKey-6e8a0c2e4f6a8c0e',
  securityToken: 'LeakSecurityToken-0f1e2d3c4b5a6978',
  wrongPassword: 'LeakWrongPassw0rd-9c8b7a6f',
  goodPassword: 'LeakGoodPassw0rd-1a2b3c4d',
  timeoutPassword: 'LeakTimeoutPassw0rd-5e6f7a8b',
};
const USER = { domainName: 'leak-domain', userName: 'leak-user', password: S.goodPassword };

let dir: string;
let sim: Simulator;
let iam: IamSimulator;
let iamHanging: IamSimulator;

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-leak-'));
  iam = await startIamSimulator({ users: [USER], tokenLifetimeMs: 3_600_000 });
  iamHanging = await startIamSimulator({ users: [] });
  iamHanging.setHang(true);
  const gateway = createGatewayAuth({
    iam,
    tokens: [S.fileToken],
    credentials: [
      { accessKey: 'HPUALEAKENVAK0000001', secretKey: 'the-right-key-1' },
      { accessKey: 'HPUALEAKFILEAK000002', secretKey: 'the-right-key-2', securityToken: S.securityToken },
    ],
  });
  const progress = { kind: 'progress', durationMs: 3_600_000 } as const;
  const exports = ['static-wrong', 'aksk-env', 'aksk-file', 'iam-refused', 'iam-ok', 'iam-timeout'].map((a) => ({
    projectId: PROJECT,
    serverId: `srv-${a}`,
    exportId: '1',
    behaviour: progress,
  }));
  sim = await startSimulator({
    authenticate: gateway.authenticate,
    exports: [...exports, { projectId: PROJECT, serverId: 'srv-static-file', exportId: '1', behaviour: { kind: 'hang' } }],
  });
  await fs.writeFile(join(dir, 'token'), `${S.fileToken}\n`);
  await fs.writeFile(join(dir, 'sk'), `${S.fileSk}\n`);
  await fs.writeFile(join(dir, 'password'), `${S.goodPassword}\n`);
});

afterAll(async () => {
  await Promise.all([sim?.close(), iam?.close(), iamHanging?.close()]);
  await fs.rm(dir, { recursive: true, force: true });
});

function account(name: string, auth: string): string {
  return `  ${name}:\n    region: cn-east-3\n    endpoint: ${sim.url}\n    project_id: ${PROJECT}\n    auth: ${auth}\n`;
}

function configYaml(): string {
  const accounts = [
    account('static-wrong', '{token: "${LEAK_TOKEN}"}'),
    account('static-file', `{token_file: ${join(dir, 'token')}}`),
    account('aksk-env', '{access_key: HPUALEAKENVAK0000001}'),
    account('aksk-file', `{access_key: HPUALEAKFILEAK000002, secret_key_file: ${join(dir, 'sk')}, security_token: "${S.securityToken}"}`),
    account('iam-refused', `{user_name: leak-user, password: "\${LEAK_PASSWORD}", domain_name: leak-domain, auth_url: "${iam.url}"}`),
    account('iam-ok', `{user_name: leak-user, password_file: ${join(dir, 'password')}, domain_name: leak-domain, auth_url: "${iam.url}"}`),
    account('iam-timeout', `{user_name: leak-user, password: "${S.timeoutPassword}", domain_name: leak-domain, auth_url: "${iamHanging.url}"}`),
  ];
  const names = ['static-wrong', 'static-file', 'aksk-env', 'aksk-file', 'iam-refused', 'iam-ok', 'iam-timeout'];
  const exports = names.map((n) => `  - {account: ${n}, server_id: srv-${n}, export_id: "1"}\n`).join('');
  return (
    'poll:\n  schedule: "* * * * * *"\n  timeout: 400ms\n  retries: 1\n  backoff_initial: 10ms\n  backoff_max: 50ms\n' +
    `accounts:\n${accounts.join('')}exports:\n${exports}`
  );
}

const ENV = { LEAK_TOKEN: S.staticToken, LEAK_PASSWORD: S.wrongPassword, HUAWEICLOUD_SDK_SK: S.envSk };

/** Every form in which a secret could plausibly be printed. */
function forms(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  return [secret, b.toString('base64'), b.toString('base64url'), encodeURIComponent(secret), b.toString('hex')];
}

function expectNoSecrets(where: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      if (text.includes(form)) throw new Error(`${where} contains a secret (${form.slice(0, 6)}…)`);
    }
  }
}

/** The secrets the run itself created: IAM tokens, signatures, and every credential header sent. */
function dynamicSecrets(): string[] {
  const out: string[] = [...iam.issued];
  for (const r of sim.requests) {
    const sig = /Signature=([0-9a-f]{64})/.exec(String(r.headers.authorization ?? ''))?.[1];
    if (sig) out.push(sig);
    const token = r.headers['x-auth-token'];
    if (typeof token === 'string') out.push(token);
  }
  return out;
}

async function stopped(cli: Cli): Promise<void> {
  cli.child.kill('SIGTERM');
  await cli.exited;
}

describe('no secret leaks', () => {
  it('--config.check of a valid config prints no secret', async () => {
    const file = join(dir, 'ok.yaml');
    await fs.writeFile(file, configYaml());
    const cli = runCli(['--config.check', `--config.file=${file}`], ENV);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/OK \(7 account\(s\), 7 export\(s\)\)/);
    expectNoSecrets('config.check output', cli.stdout() + cli.stderr(), Object.values(S));
  });

  it('--config.check of invalid configs prints the problems but no secret', async () => {
    const bad = [
      // Secrets next to mistakes in the same auth block.
      `accounts:\n  a:\n    region: cn-east-3\n    project_id: p\n    auth: {token: "${S.staticToken}", password: "${S.wrongPassword}", secret_key: "${S.envSk}", nope: 1}\n`,
      `accounts:\n  a:\n    region: cn-east-3\n    project_id: p\n    auth: {access_key: AK, secret_key: "${S.fileSk}", secret_key_file: /x, security_token: "${S.securityToken}"}\n    extra: 1\n`,
      `accounts:\n  a:\n    region: cn-east-3\n    project_id: p\n    auth: {user_name: u, password: "${S.goodPassword}", auth_url: "not a url", refresh_before: soon}\n`,
      // A YAML syntax error on the line holding the secret: parsers like to quote the offending line.
      `accounts:\n  a:\n    region: cn-east-3\n    project_id: p\n    auth: {token: "${S.fileToken}\n`,
      // A secret of the wrong type.
      `accounts:\n  a:\n    region: cn-east-3\n    project_id: p\n    auth: {user_name: u, domain_name: d, password: ["${S.timeoutPassword}"]}\n`,
    ];
    for (const [i, text] of bad.entries()) {
      const file = join(dir, `bad-${i}.yaml`);
      await fs.writeFile(file, text);
      const cli = runCli(['--config.check', `--config.file=${file}`], ENV);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toContain('invalid configuration');
      expectNoSecrets(`config.check output for bad-${i}.yaml`, cli.stdout() + cli.stderr(), Object.values(S));
    }
  });

  it('a running exporter prints and serves no secret through 401s, pauses, IAM refusal and timeouts', async () => {
    const file = join(dir, 'run.yaml');
    await fs.writeFile(file, configYaml());
    const cli = runCli([`--config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.level=debug', '--log.format=json'], ENV);
    try {
      const url = JSON.parse((await cli.waitFor(/\{[^\n]*"msg":"clouddc-exporter started"[^\n]*\}/))[0]).url as string;
      const base = url.replace('//0.0.0.0:', '//127.0.0.1:');
      await cli.waitFor(/"account":"static-wrong"[^\n]*poll failed: HTTP 401 APIGW\.0301/);
      await cli.waitFor(/"account":"aksk-env"[^\n]*CloudDC refused the AK\/SK signature/);
      await cli.waitFor(/"account":"aksk-file"[^\n]*CloudDC refused the AK\/SK signature/);
      await cli.waitFor(/"account":"iam-refused"[^\n]*IAM token refresh failed: IAM at [^ ]+ answered HTTP 401/);
      await cli.waitFor(/"account":"iam-timeout"[^\n]*IAM token refresh failed: IAM at [^ ]+ did not answer within 400 ms/);
      await cli.waitFor(/"account":"static-file"[^\n]*"reason":"timeout"/);
      await cli.waitFor(/"account":"iam-ok"[^\n]*export first seen processing|export first seen processing[^\n]*srv-iam-ok|srv-iam-ok[^\n]*export first seen/);
      const pages = await Promise.all(['/metrics', '/', '/-/healthy', '/-/ready'].map(async (p) => `${p}\n${await (await fetch(base + p)).text()}`));
      const served = pages.join('\n');
      expect(served).toMatch(/clouddc_api_account_paused\{account="aksk-env"\} 1/);
      expect(served).toMatch(/clouddc_iam_token_refreshes_total\{account="iam-refused",result="failure"\} [1-9]/);
      expect(served).toMatch(/clouddc_iam_token_expiry_timestamp_seconds\{account="iam-ok"\} \d/);
      expect(iam.issued.length).toBeGreaterThan(0);
      await stopped(cli);
      const secrets = [...Object.values(S), ...dynamicSecrets()];
      expect(secrets.length).toBeGreaterThan(Object.keys(S).length + 3);
      expectNoSecrets('stdout', cli.stdout(), secrets);
      expectNoSecrets('stderr', cli.stderr(), secrets);
      expectNoSecrets('served pages', served, secrets);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 30_000);
});
