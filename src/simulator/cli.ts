import { parseArgs } from 'node:util';
import { DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TOKEN, demoExports, demoGatewayAuth } from './demo.js';
import { startSimulator } from './server.js';

const USAGE = 'usage: node dist/src/simulator/cli.js [--host 127.0.0.1] [--port 0] [--demo] [--token TOKEN] [--latency MS]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      demo: { type: 'boolean', default: false },
      token: { type: 'string' },
      latency: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const latency = Number(values.latency);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(latency >= 0)) {
    throw new Error(USAGE);
  }
  const exports = values.demo ? demoExports(DEMO_PROJECT_ID, Date.now()) : [];
  const token = values.token ?? (values.demo ? DEMO_TOKEN : undefined);
  // --demo accepts the demo token and the demo's AK/SK pairs, unless --token asks for that token only.
  const sim = await startSimulator({
    host: values.host,
    port,
    exports,
    ...(values.demo && values.token === undefined ? { authenticate: demoGatewayAuth().authenticate } : { token }),
  });
  sim.setLatency(latency);

  console.log(`clouddc simulator listening on ${sim.url}`);
  if (token !== undefined) console.log(`X-Auth-Token: ${token}`);
  if (values.demo && values.token === undefined) console.log(`AK/SK: access key ${DEMO_ACCESS_KEY}, secret key ${DEMO_SECRET_KEY}`);
  for (const e of exports) {
    console.log(`  ${e.scenario.padEnd(15)} ${sim.url}/v1/${e.projectId}/physicalservers/${e.serverId}/logs/exports/${e.exportId}`);
  }

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: closing`);
    // Nothing else holds the event loop, so the process exits once the sockets are gone.
    void sim.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
