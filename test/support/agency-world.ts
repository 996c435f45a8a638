import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGatewayAuth,
  createTemporaryKeys,
  startAgencySimulator,
  startIamSimulator,
  startSimulator,
  type AgencySimulator,
  type AgencySimulatorOptions,
  type GatewayAuth,
  type IamSimulator,
  type Simulator,
  type TemporaryKeys,
} from '../../src/simulator/index.js';
import { FakeClock } from './factories.js';
import { T0 } from './auth-world.js';

/**
 * Workloads without a long-lived secret: the metadata service and pod identity (one agency simulator), IAM with an
 * OIDC identity provider, and the CloudDC gateway that accepts the temporary keys all three hand out, every one on
 * one fake clock. Nothing here listens on anything but 127.0.0.1.
 */

export const IDP = 'cce-oidc-provider';
export const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.service-account-token-do-not-print.sig1';
export const POD_TOKEN = 'pod-identity-projected-token-do-not-print-1';

export interface AgencyWorld {
  readonly clock: FakeClock;
  readonly keys: TemporaryKeys;
  readonly agency: AgencySimulator;
  readonly iam: IamSimulator;
  readonly gateway: GatewayAuth;
  readonly sim: Simulator;
  /** A temporary directory for token files. */
  readonly dir: string;
  close(): Promise<void>;
}

export async function startAgencyWorld(opts: { lifetimeMs?: number; agency?: Partial<AgencySimulatorOptions> } = {}): Promise<AgencyWorld> {
  const clock = new FakeClock(T0);
  const keys = createTemporaryKeys(clock.now);
  const agency = await startAgencySimulator({
    now: clock.now,
    keys,
    credentialLifetimeMs: opts.lifetimeMs ?? 6 * 3_600_000,
    podIdentityTokens: [POD_TOKEN],
    ...opts.agency,
  });
  const iam = await startIamSimulator({ now: clock.now, keys, identityProviders: [{ id: IDP, idTokens: [ID_TOKEN] }] });
  const gateway = createGatewayAuth({ temporaryKeys: keys });
  const sim = await startSimulator({ now: clock.now, authenticate: gateway.authenticate });
  const dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-agency-'));
  return {
    clock,
    keys,
    agency,
    iam,
    gateway,
    sim,
    dir,
    async close() {
      await Promise.all([sim.close(), iam.close(), agency.close()]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
