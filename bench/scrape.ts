import type { ExportKey } from '../src/domain/export.js';
import type { PollResult } from '../src/domain/poll.js';
import type { AccountSource } from '../src/runtime/exporter.js';
import { startExporter } from '../src/runtime/start.js';
import { benchConfig, benchTargets, gc, silentLogger } from './fixtures.js';
import { countSamples, registryFromExposition } from './prom-client-baseline.js';
import { mb, ms, times, type Row } from './report.js';
import { curlScrape } from './scrape-client.js';
import { median, repeat, timeMs } from './stats.js';

const TARGET_MS = 30;
const TARGET_SPEEDUP = 20;

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

async function scrapes(url: string, encoding: 'identity' | 'gzip', warm: number, count: number) {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < warm + count; i++) {
    const scrape = await curlScrape(url, encoding);
    if (i >= warm) ms.push(scrape.ms);
    bytes = scrape.bytes;
  }
  return { ms, bytes };
}

/** Figure 1: GET /metrics with 10,000 polled exports, against prom-client rendering the same series. */
export async function benchScrape(exports: number): Promise<Row[]> {
  const targets = benchTargets(exports);
  const running = await startExporter({
    config: benchConfig('http://127.0.0.1:9', targets),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
    makeSource: () => fakeSource(),
  });
  try {
    // startExporter already ran the first cycle; pollOnce() now would be skipped as overlapping.
    await running.exporter.runner.idle();
    const states = [...running.exporter.store.states()];
    if (states.length !== exports || !states.every((s) => s.lastPollOk)) throw new Error('not every export was polled');

    const perExport = running.exporter.store.render(Date.now() / 1000);
    const identity = await scrapes(running.url, 'identity', 2, 11);
    const first = { bytes: identity.bytes };
    const plain = identity.ms;
    const gz = await scrapes(running.url, 'gzip', 1, 5);
    const gzipped = gz.ms;
    const gzipBytes = gz.bytes;
    const store = running.exporter.store;
    const renderOnly = await repeat(1, 5, () => timeMs(() => store.renderChunks(Date.now() / 1000)));

    const { registry, series } = registryFromExposition(perExport);
    const ours = countSamples(perExport);
    if (series !== ours) throw new Error(`baseline has ${series} series, the exporter ${ours}`);
    gc();
    let baselineText = '';
    const baseline = await repeat(1, 3, () => timeMs(async () => (baselineText = await registry.metrics())));
    const baselineSamples = countSamples(baselineText);
    if (baselineSamples !== ours) throw new Error(`prom-client rendered ${baselineSamples} samples, expected ${ours}`);

    const m = median(plain);
    const b = median(baseline);
    const speedup = b / m;
    return [
      {
        figure: `1. /metrics, ${exports} exports (identity)`,
        median: ms(m),
        baseline: `${ms(b)} prom-client`,
        ratio: `${times(speedup)} faster`,
        target: `≤ ${TARGET_MS} ms, ≥ ${TARGET_SPEEDUP}× faster`,
        pass: m <= TARGET_MS && speedup >= TARGET_SPEEDUP,
      },
      {
        figure: '   /metrics (gzip)',
        median: ms(median(gzipped)),
        baseline: ms(m),
        ratio: times(median(gzipped) / m),
        target: '-',
      },
      {
        figure: '   store.renderChunks() alone, no HTTP',
        median: ms(median(renderOnly)),
        baseline: ms(m),
        ratio: `${((median(renderOnly) / m) * 100).toFixed(0)}% of scrape`,
        target: '-',
      },
      {
        figure: `   body size (${ours} per-export series)`,
        median: `${mb(first.bytes)} / gzip ${mb(gzipBytes)}`,
        baseline: `${mb(Buffer.byteLength(baselineText))} prom-client`,
        ratio: `${(first.bytes / gzipBytes).toFixed(1)}:1 gzip`,
        target: '-',
      },
    ];
  } finally {
    await running.stop(100);
  }
}
