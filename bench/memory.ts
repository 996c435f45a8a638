import { mb, type Row } from './report.js';
import { forkChild, nextMessage, stopChild } from './sim-process.js';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';

const TARGET_BYTES = 150 * 1024 ** 2;

export interface MemoryReport {
  readonly type: 'report';
  readonly baselineRss: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** RSS after IDLE_MS more without activity: V8 gives back its emptied young generation by then. */
  readonly idleRss: number;
  readonly scrapedBytes: number;
}

export const IDLE_MS = 10_000;

/** Figure 4: RSS of a fresh process tracking `exports` exports, each polled once, after a scrape and a GC. */
export async function benchMemory(simUrl: string, exports: number): Promise<Row[]> {
  // With the V8 flags the shipped entry points use (src/runtime/node-flags.ts).
  const child = forkChild('./memory-child.js', [simUrl, String(exports)], ['--expose-gc', ...NODE_FLAGS]);
  try {
    const report = await nextMessage<MemoryReport>(child, 'report', 120_000, 'the memory child');
    return [
      {
        figure: `4. RSS, ${exports} exports polled + scraped`,
        median: mb(report.rss),
        baseline: `${mb(report.baselineRss)} before`,
        ratio: `+${mb(report.rss - report.baselineRss)}`,
        target: `≤ ${mb(TARGET_BYTES)}`,
        pass: report.rss <= TARGET_BYTES,
      },
      {
        figure: '   V8 heap used / committed after GC',
        median: `${mb(report.heapUsed)} / ${mb(report.heapTotal)}`,
        baseline: '-',
        ratio: '-',
        target: '-',
      },
      {
        figure: `   RSS after ${IDLE_MS / 1000} s idle`,
        median: mb(report.idleRss),
        baseline: `${mb(report.baselineRss)} before`,
        ratio: `+${mb(report.idleRss - report.baselineRss)}`,
        target: '-',
      },
    ];
  } finally {
    await stopChild(child);
  }
}
