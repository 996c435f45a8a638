import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Scrape {
  /** To the last byte, as curl measures it. */
  readonly ms: number;
  readonly bytes: number;
}

/**
 * GET /metrics with curl, in its own process as Prometheus scrapes from its own: reading 26 MB
 * inside the exporter's process would bill the exporter for the scraper's time and buffers, and
 * a JavaScript client reads slower than Prometheus's Go one.
 */
export async function curlScrape(url: string, encoding: 'identity' | 'gzip', maxSeconds = 30): Promise<Scrape> {
  const { stdout } = await run('curl', [
    '-sS',
    '--fail',
    '--max-time',
    String(maxSeconds),
    '-o',
    '/dev/null',
    '-H',
    `Accept-Encoding: ${encoding}`,
    '-w',
    '%{time_total} %{size_download}',
    `${url}/metrics`,
  ]);
  const [seconds, size] = stdout.trim().split(' ').map(Number);
  if (!Number.isFinite(seconds) || !Number.isFinite(size) || size === 0) throw new Error(`curl reported "${stdout.trim()}"`);
  return { ms: seconds! * 1000, bytes: size! };
}
