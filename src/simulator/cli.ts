import { parseArgs } from 'node:util';
import { startAgencySimulator, type AgencySimulator } from './agency.js';
import { DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TOKEN, demoExports, demoGatewayAuth } from './demo.js';
import { createGatewayAuth } from './gateway-auth.js';
import { startIamSimulator, type IamSimulator } from './iam.js';
import { startSimulator } from './server.js';
import { createTemporaryKeys } from './temp-keys.js';

const USAGE =
  'usage: node dist/src/simulator/cli.js [--host 127.0.0.1] [--port 0] [--demo] [--token TOKEN] [--latency MS]\n' +
  '  [--metadata-port PORT] [--pod-identity-token TEXT] [--no-agency] [--iam-port PORT] [--idp-id ID --id-token TEXT]\n' +
  '  [--credential-lifetime SECONDS]';

const portOf = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(USAGE);
  return n;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      demo: { type: 'boolean', default: false },
      token: { type: 'string' },
      latency: { type: 'string', default: '0' },
      'metadata-port': { type: 'string' },
      'pod-identity-token': { type: 'string', multiple: true },
      'no-agency': { type: 'boolean', default: false },
      'iam-port': { type: 'string' },
      'idp-id': { type: 'string' },
      'id-token': { type: 'string', multiple: true },
      'credential-lifetime': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = portOf(values.port) ?? 0;
  const latency = Number(values.latency);
  const lifetimeS = values['credential-lifetime'] === undefined ? undefined : Number(values['credential-lifetime']);
  if (!(latency >= 0) || (lifetimeS !== undefined && !(lifetimeS > 0))) throw new Error(USAGE);
  const credentialLifetimeMs = lifetimeS === undefined ? undefined : lifetimeS * 1000;
  const [metadataPort, iamPort] = [portOf(values['metadata-port']), portOf(values['iam-port'])];

  // The credential services share one store of temporary keys with the gateway, so the keys they issue sign requests.
  const keys = createTemporaryKeys();
  const agency: AgencySimulator | undefined =
    metadataPort === undefined
      ? undefined
      : await startAgencySimulator({
          host: values.host,
          port: metadataPort,
          keys,
          agency: !values['no-agency'],
          podIdentityTokens: values['pod-identity-token'] ?? [],
          ...(credentialLifetimeMs !== undefined && { credentialLifetimeMs }),
        });
  const idpId = values['idp-id'];
  const iam: IamSimulator | undefined =
    iamPort === undefined
      ? undefined
      : await startIamSimulator({
          host: values.host,
          port: iamPort,
          keys,
          identityProviders: idpId === undefined ? [] : [{ id: idpId, idTokens: values['id-token'] ?? [] }],
          ...(credentialLifetimeMs !== undefined && { credentialLifetimeMs }),
        });
  const extra = { temporaryKeys: keys, ...(iam && { iam }) };

  const exports = values.demo ? demoExports(DEMO_PROJECT_ID, Date.now()) : [];
  const token = values.token ?? (values.demo ? DEMO_TOKEN : undefined);
  const services = agency !== undefined || iam !== undefined;
  // --demo accepts the demo token and the demo's AK/SK pairs, unless --token asks for that token only.
  const authenticate =
    values.demo && values.token === undefined
      ? demoGatewayAuth(extra).authenticate
      : services
        ? createGatewayAuth({ ...extra, tokens: token === undefined ? [] : [token] }).authenticate
        : undefined;
  const sim = await startSimulator({ host: values.host, port, exports, ...(authenticate ? { authenticate } : { token }) });
  sim.setLatency(latency);

  console.log(`clouddc simulator listening on ${sim.url}`);
  if (token !== undefined) console.log(`X-Auth-Token: ${token}`);
  if (values.demo && values.token === undefined) console.log(`AK/SK: access key ${DEMO_ACCESS_KEY}, secret key ${DEMO_SECRET_KEY}`);
  if (agency) console.log(`metadata service on ${agency.url}, pod identity at ${agency.podIdentityUrl}`);
  if (iam) console.log(`IAM on ${iam.endpoint}`);
  for (const e of exports) {
    console.log(`  ${e.scenario.padEnd(15)} ${sim.url}/v1/${e.projectId}/physicalservers/${e.serverId}/logs/exports/${e.exportId}`);
  }

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: closing`);
    // Nothing else holds the event loop, so the process exits once the sockets are gone.
    void Promise.all([sim.close(), agency?.close(), iam?.close()]);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
