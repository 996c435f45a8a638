/**
 * Child-process entry for the soak's control: a Node HTTP server that does nothing but answer GET /metrics with
 * fixed Buffers of the sizes it is given (the exporter's own chunk sizes), written the way the exporter writes
 * them (corked, one write per chunk). Scraped by its own curl under the same load, it shows what moving that
 * many bytes costs on this machine at that moment, so the exporter's scrape times can be read against it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FromControl = { readonly type: 'ready'; readonly url: string };

/** Filler that looks like exposition text (content does not matter for an uncompressed transfer). */
const LINE = 'clouddc_log_export_poll_success{project_id="0123456789abcdef0123456789abcdef",server_id="srv",export_id="e"} 1\n';

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '').split(',').map(Number);
  if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n > 0) || process.send === undefined) {
    throw new Error('usage: fork(control-child.js, [CHUNK_SIZES joined by commas]) with an IPC channel');
  }
  const chunks = sizes.map((n) => Buffer.alloc(n, LINE));
  const length = sizes.reduce((a, b) => a + b, 0);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': length });
    res.cork();
    for (const c of chunks) res.write(c);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', url: `http://127.0.0.1:${port}` } satisfies FromControl);
}

main().catch((err: unknown) => {
  console.error('soak control-child:', err);
  process.exit(1);
});
