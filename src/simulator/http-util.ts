import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_TYPE } from './bodies.js';

/** What the small side services (IAM, metadata, pod identity) share: body reading, listening, closing. */

const MAX_BODY = 64 * 1024;

/** IAM writes six fractional digits: 2020-01-04T09:05:22.701000Z. */
export function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export function keystoneError(code: number, title: string, message: string): string {
  return JSON.stringify({ error: { code, title, message } });
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, contentType = JSON_TYPE): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Listening {
  readonly server: Server;
  /** http://HOST:PORT, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** A server that hands each handler the whole body (at most 64 KiB of it), listening on host:port. */
export async function listen(host: string | undefined, port: number | undefined, handler: Handler): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${h}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

type Json = Record<string, unknown>;
export const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
