import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A CloudDC that answers on raw TCP (node:net), so a test decides every byte and when the connection ends:
 * ExportServerLogs creates export 7, ShowLogsExportStatus says "completed" (or what `status` says), and
 * DownloadServerLogs is `download(socket)`.
 */

export const RAW_PROJECT = '0123456789abcdef0123456789abcdef';
export const RAW_TOKEN = 'MIIraw-test-token';

export type StatusAnswer = { readonly status: number; readonly body: string };

export interface RawCloudDc {
  readonly url: string;
  /** How the next downloads are answered; the request has been read. */
  download: (socket: Socket) => void;
  /** ExportServerLogs; by default export 7, already completed. */
  start: (socket: Socket) => void;
  status: () => StatusAnswer;
  readonly downloads: number;
  close(): Promise<void>;
}

const COMPLETED = JSON.stringify({ export_id: '7', status: 'completed', percentage: 100, created_at: '2026-01-01T00:00:00Z' });

export function head(status: number, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status} X\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

export async function startRawCloudDc(): Promise<RawCloudDc> {
  const sockets = new Set<Socket>();
  let downloads = 0;
  const world: RawCloudDc = {
    url: '',
    download: (socket) => socket.end(head(200, { 'content-length': 3, connection: 'close' }) + 'abc'),
    start: (socket) => socket.write(head(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETED) }) + COMPLETED),
    status: () => ({ status: 200, body: COMPLETED }),
    get downloads() {
      return downloads;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const line = buffered.slice(0, buffered.indexOf('\r\n'));
      buffered = buffered.slice(end + 4);
      if (line.startsWith('POST ')) {
        world.start(socket);
      } else if (line.includes('/content')) {
        downloads++;
        world.download(socket);
      } else {
        const a = world.status();
        socket.write(head(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(a.body) }) + a.body);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (world as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return world;
}

/** A config file for the raw server: one account, poll timeout and retries as given. */
export function rawConfig(url: string, poll = 'timeout: 2s\n  retries: 1\n  backoff_initial: 50ms\n  backoff_max: 100ms'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clouddc-raw-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `poll:\n  ${poll}\naccounts:\n  main:\n    endpoint: ${url}\n    project_id: "${RAW_PROJECT}"\n    auth:\n      token: ${RAW_TOKEN}\n`);
  return { dir, file };
}
