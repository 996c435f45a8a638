/**
 * Child-process entry for figure 6: CLIENTS scrapers asking for gzip, each scraping again as soon as its last
 * answer is read, for DURATION ms, plus a /-/healthy probe every 250 ms. In its own process, as scrapers are.
 */
import { Agent, get } from 'node:http';
import type { ClientReport } from './gzip-flood.js';

function scrape(url: string, agent: Agent): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/metrics`, { agent, headers: { 'Accept-Encoding': 'gzip' }, timeout: 60_000 }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const [url, clients, duration] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  if (url === undefined || !Number.isInteger(clients) || !Number.isInteger(duration) || process.send === undefined) {
    throw new Error('usage: fork(gzip-flood-client.js, [URL, CLIENTS, DURATION_MS]) with an IPC channel');
  }
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const report = { type: 'client-report' as const, ok: 0, refused: 0, failed: 0, bytes: 0, healthyMaxMs: 0 };
  const end = Date.now() + duration;
  const loop = async () => {
    while (Date.now() < end) {
      try {
        const r = await scrape(url, agent);
        if (r.status === 200) report.ok++;
        else if (r.status === 503) report.refused++;
        else report.failed++;
        report.bytes += r.bytes;
        // A refused scraper waits, as the Retry-After asks (Prometheus would wait for its next interval).
        if (r.status === 503) await new Promise((w) => setTimeout(w, 1000));
      } catch {
        report.failed++;
      }
    }
  };
  const probe = async () => {
    while (Date.now() < end) {
      const t = performance.now();
      const res = await fetch(`${url}/-/healthy`);
      await res.arrayBuffer();
      report.healthyMaxMs = Math.max(report.healthyMaxMs, performance.now() - t);
      await new Promise((w) => setTimeout(w, 250));
    }
  };
  await Promise.all([...Array.from({ length: clients }, loop), probe()]);
  agent.destroy();
  const out: ClientReport = report;
  process.send(out, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error('gzip-flood-client:', err);
  process.exit(1);
});
