import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli, type Cli } from '../support/cli.js';
import { PROJECT, TOKEN } from '../support/config.js';
import { requireTool } from '../support/tools.js';
import { selfSigned, tempDir, type Pair } from '../web/tls-fixtures.js';
import { value } from './harness.js';

/**
 * TLS faults, with the built CLI as a separate process: only there can the client be made to trust a test CA
 * (NODE_EXTRA_CA_CERTS is read at start-up), which is what lets the fault end. One port in front of the
 * simulator speaks, by turns: TLS with a certificate from that CA (healthy), plain HTTP (an https endpoint
 * pointed at a plain-HTTP port), and TLS with a self-signed certificate the client does not trust.
 */

const hasOpenssl = requireTool('openssl');

type Mode = 'trusted' | 'plain' | 'untrusted';

interface Front {
  readonly port: number;
  mode: Mode;
  /** Connections accepted per mode. */
  readonly connections: Record<Mode, number>;
  /** performance.now() of the last connection or the last bytes in either direction (a poll on a kept-alive connection opens none). */
  lastAt: number;
  /** Chunks seen in either direction: a poll on a kept-alive connection moves this, not `connections`. */
  activity: number;
  /** Switches mode and cuts every open connection, so the next poll has to connect anew. */
  switchTo(mode: Mode): void;
  close(): Promise<void>;
}

async function startFront(simPort: number, contexts: Record<'trusted' | 'untrusted', SecureContext>): Promise<Front> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((raw) => {
    front.connections[front.mode]++;
    front.lastAt = performance.now();
    track(raw);
    const upstream = connect(simPort, '127.0.0.1');
    track(upstream);
    const seen = () => {
      front.activity++;
      front.lastAt = performance.now();
    };
    raw.on('data', seen);
    upstream.on('data', seen);
    const client = front.mode === 'plain' ? raw : new TLSSocket(raw, { isServer: true, secureContext: contexts[front.mode] });
    if (client !== raw) track(client);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => raw.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const front: Front = {
    port: (server.address() as AddressInfo).port,
    mode: 'trusted',
    connections: { trusted: 0, plain: 0, untrusted: 0 },
    lastAt: 0,
    activity: 0,
    switchTo(mode) {
      front.mode = mode;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return front;
}

/** A server certificate for 127.0.0.1 signed by `ca`. */
function serverCert(dir: string, ca: Pair): Pair {
  const pair = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', pair.key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  run(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', pair.cert, '-days', '1', '-extfile', ext]);
  return pair;
}

const context = (p: Pair): SecureContext => createSecureContext({ cert: readFileSync(p.cert), key: readFileSync(p.key) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cli: Cli | undefined;
let sim: Simulator | undefined;
let front: Front | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await front?.close();
  await sim?.close();
  cli = sim = front = undefined;
});

describe.skipIf(!hasOpenssl)('TLS faults (built CLI)', () => {
  it('https to a plain-HTTP port, then an untrusted certificate: network, exact counts, recovery each time', async () => {
    const dir = tempDir('cde-tls-fault-');
    const ca = selfSigned(dir, 'ca', 'fault-suite-ca');
    const untrusted = selfSigned(dir, 'untrusted', '127.0.0.1');
    const trusted = serverCert(dir, ca);
    const t = { server: 'tls-fault', id: '1' };
    sim = await startSimulator({
      token: TOKEN,
      exports: [{ projectId: PROJECT, serverId: t.server, exportId: t.id, behaviour: { kind: 'progress', durationMs: 24 * 3600_000 } }],
    });
    front = await startFront(Number(new URL(sim.url).port), { trusted: context(trusted), untrusted: context(untrusted) });
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `poll:
  schedule: "* * * * * *"
  retries: 0
  timeout: 1s
  spread: false
accounts:
  main:
    endpoint: https://127.0.0.1:${front.port}
    project_id: ${PROJECT}
    auth: {token: "${TOKEN}"}
exports:
  - {server_id: ${t.server}, export_id: "${t.id}"}
`,
    );
    cli = runCli([`--config.file=${file}`, '--config.auto-reload-interval=0s', '--web.listen-address=127.0.0.1:0', '--log.format=json'], {
      NODE_EXTRA_CA_CERTS: ca.cert,
    });
    const [, url] = await cli.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    const labels = { server_id: t.server, export_id: t.id };
    // The polls here fail at the handshake, at once: nothing holds a poll, so there is no wait of a scrape to
    // rule out beyond the abort, which fails a scrape stuck for five times the poll timeout.
    const scrape = async (): Promise<{ text: string }> => ({
      text: await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text(),
    });
    const until = async (ok: (text: string) => boolean): Promise<string> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { text } = await scrape();
        if (ok(text)) return text;
        if (Date.now() > deadline) throw new Error(`condition not met; last scrape:\n${text.slice(-3000)}\n${cli!.stdout().slice(-3000)}`);
        await sleep(100);
      }
    };
    /** A scrape taken when no poll is under way: no connection in the last 300 ms, none during the scrape. */
    const quiet = async (): Promise<string> => {
      for (;;) {
        const before = { ...front!.connections, activity: front!.activity };
        if (performance.now() - front!.lastAt > 300) {
          const { text } = await scrape();
          if (JSON.stringify(before) === JSON.stringify({ ...front!.connections, activity: front!.activity })) return text;
        }
        await sleep(50);
      }
    };
    const network = (text: string) => value(text, 'clouddc_log_export_api_errors_total', { ...labels, code: 'network' }) ?? 0;
    const success = (text: string) => value(text, 'clouddc_log_export_poll_success', labels);
    const lastSuccess = (text: string) => value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', labels)!;

    await until((text) => success(text) === 1);
    let failedSoFar = 0;
    for (const mode of ['plain', 'untrusted'] as const) {
      const good = lastSuccess(await quiet());
      front.switchTo(mode);
      await until((text) => network(text) >= failedSoFar + 2);
      const during = await quiet();
      // Exactly one counted failure per connection the fault refused, and the truth about success.
      failedSoFar += front.connections[mode];
      expect(network(during)).toBe(failedSoFar);
      expect(success(during)).toBe(0);
      expect(lastSuccess(during)).toBe(good);
      const json = (await (await fetch(`${url}/api/v1/exports`)).json()) as { exports: Array<{ last_error: { reason: string; message: string } }> };
      expect(json.exports[0]!.last_error.reason).toBe('network');
      expect(json.exports[0]!.last_error.message).toMatch(
        mode === 'plain' ? /ERR_SSL|EPROTO|before secure TLS connection/ : /SELF_SIGNED|self-signed certificate/,
      );

      // The fault ends: the next scheduled poll succeeds, with nothing restarted or poked.
      front.switchTo('trusted');
      const healed = await until((text) => success(text) === 1);
      expect(lastSuccess(healed)).toBeGreaterThan(good);
      expect(network(await quiet())).toBe(failedSoFar);
    }

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // No warning, no unhandled rejection, nothing at error level.
    expect(cli.stderr()).toBe('');
    const lines = cli
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(cli.stdout()).not.toMatch(/unhandled/i);
  }, 40_000);
});
