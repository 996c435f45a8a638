import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Secret } from '../../src/domain/secret.js';
import type { AccountSettings } from '../../src/domain/config.js';
import type { ExportTarget } from '../../src/domain/export.js';
import {
  createGatewayAuth,
  startIamSimulator,
  startSimulator,
  type GatewayAuth,
  type GatewayAuthOptions,
  type IamSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js';
import { account } from './config.js';
import { FakeClock, target } from './factories.js';

/** A CloudDC simulator behind a gateway that checks IAM tokens and AK/SK signatures, on one fake clock. */

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
export const PROJECT = '0123456789abcdef0123456789abcdef';
export const AK = 'HPUAWORLDTESTAK00001';
export const SK = 'WorldSecretKey-do-not-print-7d1e9a0c4b';
export const SECURITY_TOKEN = 'gQpzZWN1cml0eS10b2tlbi1kby1ub3QtcHJpbnQ';
export const USER = { domainName: 'example-domain', userName: 'clouddc-poller', password: 'Passw0rd-do-not-print-3f9b' };

export interface World {
  readonly clock: FakeClock;
  readonly iam: IamSimulator;
  readonly gateway: GatewayAuth;
  readonly sim: Simulator;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startWorld(
  opts: { tokenLifetimeMs?: number; gateway?: Partial<GatewayAuthOptions>; sim?: Omit<SimulatorOptions, 'now' | 'authenticate'> } = {},
): Promise<World> {
  const clock = new FakeClock(T0);
  const iam = await startIamSimulator({ users: [USER], now: clock.now, tokenLifetimeMs: opts.tokenLifetimeMs ?? 60_000 });
  const gateway = createGatewayAuth({
    iam,
    credentials: [{ accessKey: AK, secretKey: SK }],
    ...opts.gateway,
  });
  const sim = await startSimulator({ ...opts.sim, now: clock.now, authenticate: gateway.authenticate });
  const dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-auth-'));
  return {
    clock,
    iam,
    gateway,
    sim,
    dir,
    async close() {
      await Promise.all([sim.close(), iam.close()]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** An export that stays "processing" forever, so every cycle polls it. */
export function endlessExport(world: Pick<World, 'sim'>, account: string, serverId = `srv-${account}`): ExportTarget {
  const t = target({ account, serverId, exportId: '1', projectId: PROJECT });
  world.sim.setBehaviour(t, { kind: 'fixed', body: { export_id: '1', status: 'processing', percentage: 40, created_at: '2026-01-01T00:00:00Z' } });
  return t;
}

export function tokenAccount(world: World, name: string, tokenFile: string): AccountSettings {
  return account(world.sim.url, { name, auth: { kind: 'token', source: 'test', token: { kind: 'file', path: tokenFile } } });
}

export function akskAccount(world: World, name: string, sk = SK, securityToken?: string): AccountSettings {
  return account(world.sim.url, {
    name,
    auth: {
      kind: 'aksk',
      source: 'test',
      accessKey: AK,
      secretKey: { kind: 'inline', value: new Secret(sk) },
      ...(securityToken !== undefined && { securityToken: new Secret(securityToken) }),
    },
  });
}

export function passwordAccount(world: World, name: string, refreshBeforeMs: number, password = USER.password): AccountSettings {
  return account(world.sim.url, {
    name,
    auth: {
      kind: 'password',
      source: 'test',
      userName: USER.userName,
      password: { kind: 'inline', value: new Secret(password) },
      domainName: USER.domainName,
      authUrl: world.iam.url,
      refreshBeforeMs,
    },
  });
}

/** Replaces a file the way an atomic writer does (new inode), as a token-refreshing sidecar would. */
export async function replaceFile(path: string, text: string): Promise<void> {
  await fs.writeFile(`${path}.tmp`, text);
  await fs.rename(`${path}.tmp`, path);
}

/** Asks the IAM simulator for a token the way an external sidecar would. */
export async function fetchIamToken(iam: IamSimulator): Promise<string> {
  const res = await fetch(`${iam.url}/auth/tokens?nocatalog=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: USER.userName, password: USER.password, domain: { name: USER.domainName } } } },
        scope: { project: { id: PROJECT } },
      },
    }),
  });
  await res.text();
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || token === null) throw new Error(`IAM simulator answered ${res.status}`);
  return token;
}

/** Everything a pino logger writes, as text and as parsed lines. */
export function logSink(): { stream: Writable; text: () => string; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The value of one sample in an exposition, or undefined. */
export function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => (labels === '' ? l.startsWith(`${name} `) : l.startsWith(`${name}{`) && l.includes(labels)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
