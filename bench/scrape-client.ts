import { Client } from 'undici';

export interface Scrape {
  readonly ms: number;
  readonly bytes: number;
  readonly encoding: string;
}

/** One keep-alive connection to the exporter, as a Prometheus server keeps. */
export function scrapeClient(url: string): Client {
  return new Client(url, { headersTimeout: 30_000, bodyTimeout: 30_000 });
}

/** GET /metrics to the last byte. */
export async function scrape(client: Client, encoding: 'identity' | 'gzip'): Promise<Scrape> {
  const t0 = performance.now();
  const res = await client.request({ path: '/metrics', method: 'GET', headers: { 'accept-encoding': encoding } });
  // Counted, not collected: a real scraper parses the stream, it does not copy 26 MB into one buffer first.
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) bytes += chunk.length;
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`);
  const got = String(res.headers['content-encoding'] ?? 'identity');
  if (got !== encoding) throw new Error(`asked for ${encoding}, got content-encoding ${got}`);
  return { ms, bytes, encoding: got };
}
