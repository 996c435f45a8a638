import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import { runCli, type Cli } from '../support/cli.js';
import { exportPath, key, PROJECT } from './support.js';

const SIMULATOR = fileURLToPath(new URL('../../dist/src/simulator/cli.js', import.meta.url));

let cli: Cli | undefined;
afterEach(async () => {
  cli?.child.kill('SIGTERM');
  await cli?.exited;
  cli = undefined;
});

interface Credential {
  readonly access: string;
  readonly secret: string;
  readonly securitytoken: string;
}

describe('simulator CLI: credential services', () => {
  it('starts the metadata service, pod identity and IAM, whose keys the gateway then accepts', async () => {
    const args = [
      '--metadata-port',
      '0',
      '--pod-identity-token',
      'pod-tok',
      '--iam-port',
      '0',
      '--idp-id',
      'idp',
      '--id-token',
      'id-tok',
      '--credential-lifetime',
      '600',
    ];
    cli = runCli(args, {}, SIMULATOR);
    const [, sim] = await cli.waitFor(/listening on (http:\S+)/);
    const [, metadata, pod] = await cli.waitFor(/metadata service on (http:\S+), pod identity at (http:\S+)/);
    const [, iam] = await cli.waitFor(/IAM on (http:\S+)/);

    const session = await (await fetch(`${metadata}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } })).text();
    const fromMetadata = (await (await fetch(`${metadata}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': session } })).json()) as {
      credential: Credential;
    };
    const fromPod = (await (await fetch(pod!, { method: 'POST', headers: { Authorization: 'pod-tok' }, body: '{}' })).json()) as { credential: Credential };
    const exchanged = await fetch(`${iam}/v3.0/OS-AUTH/id-token/tokens`, {
      method: 'POST',
      headers: { 'X-Idp-Id': 'idp' },
      body: '{"auth":{"id_token":{"id":"id-tok"}}}',
    });
    expect(exchanged.status).toBe(201);

    // No export is scripted: an authenticated request gets CloudDC's 404, a refused one the gateway's 401.
    const url = new URL(sim! + exportPath(key('1')));
    const show = async (c?: Credential) => {
      const headers = { 'x-project-id': PROJECT };
      const signed =
        c && signRequest({ method: 'GET', url, headers, accessKey: c.access, secretKey: c.secret, securityToken: c.securitytoken, date: new Date() });
      return (await fetch(url, { headers: { ...headers, ...signed } })).status;
    };
    expect(await show(fromMetadata.credential)).toBe(404);
    expect(await show(fromPod.credential)).toBe(404);
    expect(await show()).toBe(401);
  });

  it('--no-agency makes the metadata service answer "Please configure Cloud Service Agency first"', async () => {
    cli = runCli(['--metadata-port', '0', '--no-agency'], {}, SIMULATOR);
    const [, metadata] = await cli.waitFor(/metadata service on (http:\S+),/);
    const session = await (await fetch(`${metadata}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } })).text();
    const res = await fetch(`${metadata}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': session } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Please configure Cloud Service Agency first');
  });
});
