import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hostile upstream for leak tests: it answers every request with an error whose body and X-Request-Id
 * reflect what it was sent (credential headers and the request body), in the encodings a real gateway or proxy
 * might use: base64 (standard and URL-safe), percent-encoding and JSON escaping, at every base64 alignment.
 * Each caller's answers start their message with the next encoding in turn, so that none is hidden by the exporter cutting
 * long messages short.
 */

const SECRET_HEADERS = ['x-auth-token', 'authorization', 'x-security-token'];

type Encode = (s: string) => string;
const ENCODINGS: ReadonlyArray<[string, Encode]> = [
  ['b64', (s) => Buffer.from(s).toString('base64')],
  ['b64url', (s) => Buffer.from(s).toString('base64url')],
  ['pct', (s) => encodeURIComponent(s)],
  // JSON-escaped inside the JSON body: the quotes are the body's own.
  ['json', (s) => JSON.stringify(s).slice(1, -1)],
];

export interface EchoUpstream {
  readonly url: string;
  /** Requests answered so far. */
  readonly answered: number;
  /** Every credential header value and body received: secrets of their own. */
  readonly received: ReadonlySet<string>;
  close(): Promise<void>;
}

export async function startEchoUpstream(status = 401): Promise<EchoUpstream> {
  let n = 0;
  const received = new Set<string>();
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const values = [...SECRET_HEADERS.map((h) => req.headers[h]).filter((v): v is string => typeof v === 'string'), ...(body ? [body] : [])];
      for (const v of values) received.add(v);
      n++;
      // Counted per caller (its credential), so that every caller goes through every encoding and alignment.
      const key = values[0] ?? '';
      const i = seen.get(key) ?? 0;
      seen.set(key, i + 1);
      const [name, encode] = ENCODINGS[i % ENCODINGS.length]!;
      // 0-2 bytes in front shift where the value falls in the base64 groups.
      const pad = 'ab'.slice(0, Math.floor(i / ENCODINGS.length) % 3);
      const echoed = values.map((v) => encode(`${pad}${v}`));
      const message = `echo ${name}: ${echoed.join(' ')}`;
      const requestId = Buffer.from(`${pad}${values[0] ?? ''}`).toString(i % 2 ? 'base64url' : 'base64');
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-Id': requestId });
      res.end(JSON.stringify({ error_code: 'ECHO.0001', error_msg: message, error: { code: status, message, title: 'Echo' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get answered() {
      return n;
    },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
