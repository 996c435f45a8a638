/**
 * Child-process entry for figure 1: the exporter with 10,000 polled exports, scraped by curl
 * from the parent. The exporter must not be the process that starts curl: every fork() marks the
 * parent's memory copy-on-write, and the next scrape then pays a page fault on each page it
 * writes (measured: the ages buffer went from 2 to 9-12 ms). Prometheus is not our child either.
 */
import { startExporter } from '../src/runtime/start.js';
import type { ExportKey } from '../src/domain/export.js';
import type { PollResult } from '../src/domain/poll.js';
import type { AccountSource } from '../src/runtime/exporter.js';
import { benchConfig, benchTargets, gc, silentLogger } from './fixtures.js';
import { countSamples, registryFromExposition } from './prom-client-baseline.js';
import { repeat, timeMs } from './stats.js';

export type ToScrapeChild = { type: 'measure' } | { type: 'stop' };
export type FromScrapeChild =
  { type: 'ready'; url: string } | { type: 'measured'; renderMs: number[]; baselineMs: number[]; series: number; baselineBytes: number };

/** Every tenth export has completed, so every family (completed timestamp included) has series. */
function fakeSource(): AccountSource {
  const createdAt = Math.floor(Date.now() / 1000) - 3600;
  return {
    async fetchStatus(key: ExportKey): Promise<PollResult> {
      const n = Number(key.exportId);
      const done = n % 10 === 0;
      const status = done ? 'completed' : 'processing';
      const percentage = done ? 100 : n % 100;
      return { ok: true, attempts: 1, observation: { status, rawStatus: status, percentage, createdAt: createdAt + (n % 600) } };
    },
    async close() {},
  };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const send = process.send?.bind(process);
  if (!Number.isInteger(count) || send === undefined) throw new Error('usage: fork(scrape-child.js, [COUNT]) with an IPC channel');
  const running = await startExporter({
    config: benchConfig('http://127.0.0.1:9', benchTargets(count)),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
    makeSource: () => fakeSource(),
  });
  // startExporter already ran the first cycle; pollOnce() now would be skipped as overlapping.
  await running.exporter.runner.idle();
  const states = [...running.exporter.store.states()];
  if (states.length !== count || !states.every((s) => s.lastPollOk)) throw new Error('not every export was polled');

  process.on('message', (m: ToScrapeChild) => {
    if (m.type === 'stop') {
      void running.stop(100).finally(() => process.exit(0));
      return;
    }
    void (async () => {
      const exporter = running.exporter;
      const renderMs = await repeat(1, 5, () => timeMs(async () => (await exporter.scrape({ gzip: false })).release()));
      // Through the scrape lease, as /metrics reads it; the per-export families follow the exporter's own metrics.
      const lease = await exporter.scrape({ gzip: false });
      const whole = Buffer.concat(lease.chunks).toString('utf8');
      lease.release();
      const perExport = whole.slice(whole.indexOf('# HELP clouddc_log_export_'));
      const { registry, series } = registryFromExposition(perExport);
      const ours = countSamples(perExport);
      if (series !== ours) throw new Error(`baseline has ${series} series, the exporter ${ours}`);
      gc();
      let baselineText = '';
      const baselineMs = await repeat(1, 3, () => timeMs(async () => (baselineText = await registry.metrics())));
      const baselineSamples = countSamples(baselineText);
      if (baselineSamples !== ours) throw new Error(`prom-client rendered ${baselineSamples} samples, expected ${ours}`);
      send({ type: 'measured', renderMs, baselineMs, series: ours, baselineBytes: Buffer.byteLength(baselineText) } satisfies FromScrapeChild);
    })().catch((err: unknown) => {
      console.error('scrape-child:', err);
      process.exit(1);
    });
  });
  send({ type: 'ready', url: running.url } satisfies FromScrapeChild);
}

main().catch((err: unknown) => {
  console.error('scrape-child:', err);
  process.exit(1);
});
