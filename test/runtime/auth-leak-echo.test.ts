import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactor } from '../../src/clouddc/response.js';
import { runCli } from '../support/cli.js';
import { startEchoUpstream, type EchoUpstream } from '../support/echo-upstream.js';

/**
 * The built CLI against an upstream that reflects every credential it receives, base64 (standard and URL-safe,
 * at every alignment), percent-encoded and JSON-escaped, in its error bodies and its X-Request-Id. Nothing the
 * exporter prints or serves may hold a secret in any of those forms.
 */

const PROJECT = '0123456789abcdef0123456789abcdef';
const S = {
  token: 'MIIecho-inline/token+5c1f0a9e7d3b==',
  fileToken: 'MIIecho-file-token-8a2e4c6b1d09',
  sk: 'EchoSecretKey-2b7d9f1e3c5a7b9d',
  securityToken: 'EchoSecurityToken/0f1e2d3c+4b5a',
  password: 'Echo Passw0rd/"quoted"&more-1a2b',
};

/** Every form the echo upstream uses, at every base64 alignment, plus hex. */
function forms(secret: string): string[] {
  const out = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('hex')];
  for (const k of [0, 1, 2]) {
    const b = Buffer.concat([Buffer.alloc(k), Buffer.from(secret)]);
    const core = (enc: 'base64' | 'base64url') => b.toString(enc).slice(Math.ceil((8 * k) / 6), Math.floor((8 * b.length) / 6));
    out.push(core('base64'), core('base64url'));
  }
  return out.filter((f) => f.length >= 6);
}

function leaks(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const s of secrets) for (const f of forms(s)) if (text.includes(f)) found.push(`${s.slice(0, 12)}… as ${f.slice(0, 12)}…`);
  return found;
}

describe('redactor', () => {
  it('cuts a secret out of base64 of any text around it, at every alignment, std and URL-safe', () => {
    const secret = 'tok/+en-secret-value==';
    const redact = redactor([secret]);
    for (let k = 0; k < 6; k++) {
      const around = `${'x'.repeat(k)}{"X-Auth-Token":"${secret}"}`;
      for (const enc of ['base64', 'base64url'] as const) {
        const out = redact(Buffer.from(around).toString(enc));
        expect(out).toContain('<redacted>');
        expect(leaks(out, [secret])).toEqual([]);
      }
      expect(redact(encodeURIComponent(around))).not.toContain(encodeURIComponent(secret));
      expect(redact(JSON.stringify(around))).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });
});

let dir: string;
let echo: EchoUpstream;

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-echo-'));
  echo = await startEchoUpstream();
  await fs.writeFile(join(dir, 'token'), `${S.fileToken}\n`);
});

afterAll(async () => {
  await echo?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function configYaml(): string {
  const account = (name: string, auth: string) =>
    `  ${name}:\n    region: cn-east-3\n    endpoint: ${echo.url}\n    project_id: ${PROJECT}\n    auth: ${auth}\n`;
  const accounts = [
    account('inline', `{token: "${S.token}"}`),
    account('file', `{token_file: ${join(dir, 'token')}}`),
    account('aksk', `{access_key: HPUAECHOAK0000000001, secret_key: "${S.sk}", security_token: "${S.securityToken}"}`),
    account('iam', `{user_name: echo-user, password: ${JSON.stringify(S.password)}, domain_name: echo-domain, auth_url: "${echo.url}/v3"}`),
  ];
  const exports = ['inline', 'file', 'aksk', 'iam'].map((n) => `  - {account: ${n}, server_id: srv-${n}, export_id: "1"}\n`).join('');
  return (
    'poll:\n  schedule: "* * * * * *"\n  timeout: 400ms\n  retries: 1\n  backoff_initial: 10ms\n  backoff_max: 50ms\n' +
    `accounts:\n${accounts.join('')}exports:\n${exports}`
  );
}

describe('an upstream that echoes credentials back', () => {
  it('finds no secret in any encoding in logs, /metrics, the status page or /api/v1/exports', async () => {
    const file = join(dir, 'run.yaml');
    await fs.writeFile(file, configYaml());
    const cli = runCli([`--config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.level=debug', '--log.format=json']);
    try {
      const url = JSON.parse((await cli.waitFor(/\{[^\n]*"msg":"clouddc-exporter started"[^\n]*\}/))[0]).url as string;
      const base = url.replace('//0.0.0.0:', '//127.0.0.1:');
      // Enough answers that every encoding and alignment led a message for every account.
      while (echo.answered < 40) await new Promise((r) => setTimeout(r, 100));
      const pages = await Promise.all(['/metrics', '/', '/api/v1/exports'].map(async (p) => `${p}\n${await (await fetch(base + p)).text()}`));
      const served = pages.join('\n');
      cli.child.kill('SIGTERM');
      await cli.exited;
      const printed = cli.stdout() + cli.stderr();
      // The echoes did reach every place checked, so the absence of secrets means something.
      expect(printed).toMatch(/echo b64: /);
      expect(printed).toMatch(/echo json: /);
      expect(printed).toMatch(/IAM at [^ ]+ answered HTTP 401 \(401: echo/);
      expect(served).toMatch(/"message":"HTTP 401 ECHO\.0001: echo /);
      expect(served).toContain('<redacted>');
      expect(served).toMatch(/"request_id":"[^"]+"/);
      const secrets = [...Object.values(S), ...echo.received];
      expect(echo.received.size).toBeGreaterThan(4);
      expect(leaks(printed, secrets)).toEqual([]);
      expect(leaks(served, secrets)).toEqual([]);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 40_000);
});
