import { readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../src/clouddc/auth/methods.js';
import { createLogApi } from '../../src/clouddc/log-api.js';
import { account, pollSettings, PROJECT } from '../support/config.js';
import { runCli } from '../support/cli.js';
import { silentLogger } from '../support/factories.js';
import { head, rawConfig, startRawCloudDc } from './raw-clouddc.js';

/**
 * B1: a server that closes (or resets) the connection while the bundle's reader is behind, so undici's parser is
 * paused by back-pressure at that moment. undici 7 asserted `!paused` in its socket handlers and the process died;
 * here every attempt must end as a complete body or as an error on the stream, never as an uncaught exception.
 * The server is raw TCP (node:net), so it can end or reset the socket at any byte.
 */

const BODY = Buffer.alloc(4 * 1024 * 1024, 0x5a);
const ROUNDS = 16;
/**
 * The crash needed the last bytes and the FIN in one read: a last 64 KiB socket read that is small (under the
 * socket's 16 KiB high-water mark) lets the FIN in behind it. Sizes vary per round to cover such tails.
 */
const sizeOf = (round: number): number => 2 * 1024 * 1024 + ((round * 1237) % 12_000) + 1;
let size = sizeOf(0);

/**
 * How the answer ends: after the whole body, read until close, short of its length (FIN), or reset (RST) after most of
 * the body or after a little (while our socket is still reading, so the reset arrives as ECONNRESET).
 */
type Ending = 'close-after-length' | 'close-delimited' | 'close-truncated' | 'reset-truncated' | 'reset-paused';

let server: Server;
let port = 0;
let ending: Ending = 'close-after-length';
/** Resolves when the server has handed its last byte to the kernel (or reset the socket). */
let serverDone: Promise<void> = Promise.resolve();
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      const length = ending === 'close-delimited' ? '' : `content-length: ${size}\r\n`;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n${length}connection: close\r\n\r\n`);
      const body = BODY.subarray(0, ending.endsWith('truncated') ? size - 100_000 : size);
      serverDone = new Promise((resolve) => {
        const reset = (): void => {
          socket.resetAndDestroy();
          resolve();
        };
        if (ending === 'reset-truncated') socket.write(body, reset);
        else if (ending === 'reset-paused') socket.write(body.subarray(0, 100_000), () => setTimeout(reset, 100));
        else socket.end(body, () => resolve());
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
  for (const s of sockets) s.destroy();
});

function api() {
  const acc = account(`http://127.0.0.1:${port}`);
  const poll = pollSettings({ timeoutMs: 10_000 });
  return createLogApi({
    account: acc,
    poll,
    authenticator: authenticatorFor(acc, { logger: silentLogger, timeoutMs: 10_000 }),
    userAgent: 't',
    logger: silentLogger,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the bundle as a slow disk would: nothing until the server is done, then one chunk per timer turn. */
async function slowRead(): Promise<{ bytes: number; error?: string }> {
  const opened = await api().openBundle({ projectId: PROJECT, serverId: 'srv', exportId: '1' });
  if (!opened.ok) return { bytes: 0, error: opened.failure.message };
  const body = opened.response.body;
  await Promise.race([serverDone, sleep(5000)]);
  // Let the FIN or RST reach our socket while the parser is paused.
  await sleep(20);
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      await sleep(0);
    }
    return { bytes };
  } catch (err) {
    return { bytes, error: (err as Error).message };
  }
}

describe('B1: the peer closes the connection under back-pressure', { timeout: 120_000 }, () => {
  const cases: Array<[Ending, (r: { bytes: number; error?: string }) => void]> = [
    ['close-after-length', (r) => expect(r).toEqual({ bytes: size })],
    ['close-delimited', (r) => expect(r).toEqual({ bytes: size })],
    ['close-truncated', (r) => expect(r.error).toBeDefined()],
    ['reset-truncated', (r) => expect(r.error).toBeDefined()],
    ['reset-paused', (r) => expect(r.error).toMatch(/ECONNRESET/)],
  ];
  for (const [kind, check] of cases) {
    it(`${kind}: ${ROUNDS} rounds, each a whole body or an error on the stream, no crash`, async () => {
      ending = kind;
      for (let i = 0; i < ROUNDS; i++) {
        size = sizeOf(i);
        // Before the fix a crashed parser also left the stream hanging: bound each round.
        const result = await Promise.race([slowRead(), sleep(15_000).then(() => ({ bytes: -1, error: 'no end within 15 s' }))]);
        check(result);
        await sleep(10);
        expect(uncaught.map(String)).toEqual([]);
      }
    });
  }
});

describe('B1: export download when the peer cuts the body short', { timeout: 120_000 }, () => {
  it('exits 1 with one line each time, after its retries, and leaves no file, .part or other', async () => {
    const raw = await startRawCloudDc();
    try {
      let n = 0;
      raw.download = (socket) => {
        const reset = n++ % 2 === 1;
        socket.write(head(200, { 'content-length': 2_000_000, 'content-disposition': 'attachment; filename=b.tar.gz', connection: 'close' }));
        socket.write(BODY.subarray(0, 1_500_000), () => (reset ? socket.resetAndDestroy() : socket.end()));
      };
      const cfg = rawConfig(raw.url);
      const out = join(cfg.dir, 'out');
      for (let i = 0; i < 3; i++) {
        const cli = runCli(['export', 'download', `--config.file=${cfg.file}`, '--server=srv', '--export-id=7', `--dir=${out}`]);
        expect(await cli.exited).toBe(1);
        expect(cli.stderr()).not.toMatch(/\n\s+at |AssertionError|Unhandled/);
        expect(cli.stderr()).toMatch(/clouddc-exporter: export 7 of server srv: download broke off: .*; no file was kept\n$/);
        expect(readdirSync(out)).toEqual([]);
      }
      // retries: 1 in rawConfig: two attempts per run.
      expect(raw.downloads).toBe(6);
    } finally {
      await raw.close();
    }
  });
});
