import { afterEach, describe, expect, it } from 'vitest';
import { staticTokenAuthenticator } from '../../src/clouddc/auth/token.js';
import { createAccountClient, type AccountClient } from '../../src/clouddc/client.js';
import { parseServersPage, serversPath } from '../../src/clouddc/fleet-api.js';
import { createLogApi } from '../../src/clouddc/log-api.js';
import { Secret } from '../../src/domain/secret.js';
import { scriptedFleet, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, pollSettings, PROJECT } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { RecordingObserver } from './harness.js';

/*
 * A gateway that enforces content negotiation answers 406 to an Accept it cannot satisfy. ExportServerLogs documents
 * its 202 as application/octet-stream and DownloadServerLogs streams bytes, so every call of the exporter has to
 * pass with the Accept it sends (the SDK's, `*\/*`).
 */

const TOKEN = 'MIIstrict-gateway-token';
const SERVER = 'srv-strict';

let sim: Simulator | undefined;
let client: AccountClient | undefined;
afterEach(async () => {
  await client?.close();
  await sim?.close();
  sim = client = undefined;
});

async function strictSimulator(): Promise<Simulator> {
  return startSimulator({
    token: TOKEN,
    strictAccept: true,
    servers: [SERVER],
    exports: [{ projectId: PROJECT, serverId: SERVER, exportId: '1', behaviour: { kind: 'progress', durationMs: 0, startedAt: 0 } }],
    fleet: scriptedFleet({ count: 3, projectId: PROJECT }),
  });
}

describe('a strict gateway (406 to an Accept it cannot satisfy)', () => {
  it('refuses application/json where the answer is a byte stream, and admits */*, application/* or the exact type', async () => {
    sim = await strictSimulator();
    const content = `${sim.url}/v1/${PROJECT}/physicalservers/${SERVER}/logs/exports/1/content`;
    const status = (accept?: string) =>
      fetch(content, { headers: { 'x-auth-token': TOKEN, ...(accept !== undefined && { accept }) } }).then(async (r) => (await r.arrayBuffer(), r.status));
    expect(await status('application/json')).toBe(406);
    expect(await status('application/octet-stream;q=0, application/json')).toBe(406);
    expect(await status('*/*')).toBe(200);
    expect(await status('application/*')).toBe(200);
    expect(await status('application/octet-stream')).toBe(200);
    const start = await fetch(`${sim.url}/v1/${PROJECT}/physicalservers/${SERVER}/logs/exports`, {
      method: 'POST',
      headers: { 'x-auth-token': TOKEN, accept: 'application/json' },
    });
    expect(start.status).toBe(406);
    expect(await start.json()).toMatchObject({ error_msg: expect.stringContaining('Not Acceptable') });
    const show = await fetch(`${sim.url}/v1/${PROJECT}/physicalservers/${SERVER}/logs/exports/1`, { headers: { 'x-auth-token': TOKEN, accept: 'text/html' } });
    expect(show.status).toBe(406);
    expect(sim.startedExports).toEqual([]);
  });

  it('passes every call the exporter makes: ShowLogsExportStatus, ListServers, ExportServerLogs and DownloadServerLogs', async () => {
    sim = await strictSimulator();
    const acc = account(sim.url, { name: 'strict', auth: { kind: 'token', source: 'test', token: { kind: 'inline', value: new Secret(TOKEN) } } });
    const authenticator = staticTokenAuthenticator({ kind: 'inline', value: new Secret(TOKEN) });
    client = createAccountClient({
      account: acc,
      poll: pollSettings(),
      userAgent: 't',
      authenticator,
      observer: new RecordingObserver(),
      logger: silentLogger,
    });
    expect(await client.fetchStatus({ projectId: PROJECT, serverId: SERVER, exportId: '1' })).toMatchObject({ ok: true });
    const page = await client.fetchJson({ path: serversPath(PROJECT, 1000, undefined, undefined), parse: (t) => parseServersPage(t, PROJECT), context: {} });
    expect(page).toMatchObject({ ok: true });

    const api = createLogApi({ account: acc, poll: pollSettings(), authenticator, userAgent: 't', logger: silentLogger });
    const started = await api.start(SERVER);
    expect(started).toMatchObject({ ok: true });
    const opened = await api.openBundle({ projectId: PROJECT, serverId: SERVER, exportId: '1' });
    expect(opened.ok).toBe(true);
    if (opened.ok) for await (const _ of opened.response.body) void _;

    expect(sim.requests.map((r) => [r.op, r.headers.accept])).toEqual([
      ['status', '*/*'],
      ['servers', '*/*'],
      ['start', '*/*'],
      ['download', '*/*'],
    ]);
  });
});
