import { NODE_FLAGS } from '../src/runtime/node-flags.js';
import { mb, ms, times, type Row } from './report.js';
import type { FromScrapeChild, ToScrapeChild } from './scrape-child.js';
import { curlScrape } from './scrape-client.js';
import { forkChild, nextMessage, stopChild } from './sim-process.js';
import { median } from './stats.js';

const TARGET_MS = 30;
const TARGET_SPEEDUP = 20;

async function scrapes(url: string, encoding: 'identity' | 'gzip', warm: number, count: number) {
  const durations: number[] = [];
  let bytes = 0;
  for (let i = 0; i < warm + count; i++) {
    const scrape = await curlScrape(url, encoding);
    if (i >= warm) durations.push(scrape.ms);
    bytes = scrape.bytes;
  }
  return { ms: durations, bytes };
}

/**
 * Figure 1: GET /metrics with 10,000 polled exports, against prom-client rendering the same
 * series. The exporter runs in a child with the shipped V8 flags; curl scrapes it from here, in
 * its own process, as Prometheus would, and its time is to the last byte.
 */
export async function benchScrape(exports: number): Promise<Row[]> {
  const child = forkChild('./scrape-child.js', [String(exports)], ['--expose-gc', ...NODE_FLAGS]);
  try {
    const { url } = await nextMessage<Extract<FromScrapeChild, { type: 'ready' }>>(child, 'ready', 120_000, 'starting the scrape child');
    const identity = await scrapes(url, 'identity', 2, 11);
    const gz = await scrapes(url, 'gzip', 1, 5);
    child.send({ type: 'measure' } satisfies ToScrapeChild);
    const measured = await nextMessage<Extract<FromScrapeChild, { type: 'measured' }>>(child, 'measured', 120_000, 'the scrape child measuring');

    const m = median(identity.ms);
    const b = median(measured.baselineMs);
    const speedup = b / m;
    const render = median(measured.renderMs);
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
        median: ms(median(gz.ms)),
        baseline: ms(m),
        ratio: times(median(gz.ms) / m),
        target: '-',
      },
      {
        figure: '   exporter.scrape() alone, no HTTP',
        median: ms(render),
        baseline: ms(m),
        ratio: `${((render / m) * 100).toFixed(0)}% of scrape`,
        target: '-',
      },
      {
        figure: `   body size (${measured.series} per-export series)`,
        median: `${mb(identity.bytes)} / gzip ${mb(gz.bytes)}`,
        baseline: `${mb(measured.baselineBytes)} prom-client`,
        ratio: `${(identity.bytes / gz.bytes).toFixed(1)}:1 gzip`,
        target: '-',
      },
    ];
  } finally {
    await stopChild(child, { type: 'stop' } satisfies ToScrapeChild);
  }
}
