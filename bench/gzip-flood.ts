import { mb, ms, times, type Row } from './report.js';
import { forkChild, nextMessage, stopChild } from './sim-process.js';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';

/** 200 clients scraping with gzip at once, for FLOOD_MS, while the exporter polls every SCHEDULE_S seconds. */
export const CLIENTS = 200;
export const FLOOD_MS = 30_000;
export const SCHEDULE_S = 10;

export interface FloodReady {
  readonly type: 'ready';
  readonly url: string;
  /** RSS after start, the first cycle, one gzip scrape and 5 s idle, after a GC. */
  readonly idleRss: number;
}

export interface FloodReport {
  readonly type: 'report';
  /** VmHWM of the exporter process over the flood (reset when it began); sampled RSS where that is not available. */
  readonly peakRss: number;
  readonly peakSource: 'VmHWM' | 'sampled';
  readonly cycles: number;
  readonly skipped: number;
}

export interface ClientReport {
  readonly type: 'client-report';
  readonly ok: number;
  readonly refused: number;
  readonly failed: number;
  readonly bytes: number;
  /** Slowest /-/healthy answer during the flood. */
  readonly healthyMaxMs: number;
}

/**
 * Figure 6 (issue 21 B3): the exporter's peak RSS while 200 clients scrape /metrics with gzip at once for 30 s,
 * against its idle RSS in the same run; and whether its poll cycles kept the schedule meanwhile. The exporter and
 * the clients are separate processes, so the clients' memory is not counted.
 */
export async function benchGzipFlood(simUrl: string, exports: number): Promise<Row[]> {
  const exporter = forkChild('./gzip-flood-child.js', [simUrl, String(exports), String(SCHEDULE_S)], ['--expose-gc', ...NODE_FLAGS]);
  let client: ReturnType<typeof forkChild> | undefined;
  try {
    const ready = await nextMessage<FloodReady>(exporter, 'ready', 180_000, 'the gzip-flood exporter');
    exporter.send({ type: 'start' });
    client = forkChild('./gzip-flood-client.js', [ready.url, String(CLIENTS), String(FLOOD_MS)]);
    const load = await nextMessage<ClientReport>(client, 'client-report', FLOOD_MS + 120_000, 'the gzip-flood clients');
    exporter.send({ type: 'stop' });
    const report = await nextMessage<FloodReport>(exporter, 'report', 30_000, 'the gzip-flood report');
    // The schedule ticks every SCHEDULE_S seconds; a tick that finds a cycle running is skipped.
    const expected = Math.floor(FLOOD_MS / 1000 / SCHEDULE_S) - 1;
    const ratio = report.peakRss / ready.idleRss;
    return [
      {
        figure: `6. peak RSS, ${CLIENTS} concurrent gzip scrapes, ${exports} exports, ${FLOOD_MS / 1000} s`,
        median: mb(report.peakRss),
        baseline: `${mb(ready.idleRss)} idle`,
        ratio: times(ratio),
        target: '≤ 2× idle',
        pass: ratio <= 2,
      },
      {
        figure: `   poll cycles every ${SCHEDULE_S} s meanwhile: finished / skipped ticks`,
        median: `${report.cycles} / ${report.skipped}`,
        baseline: `≥ ${expected} expected`,
        ratio: '-',
        target: `≥ ${expected}, 0 skipped`,
        pass: report.cycles >= expected && report.skipped === 0,
      },
      {
        // Failed: the client saw an error (a connection reset, a response cut off); info, as the client shares the CPU.
        figure: '   scrapes answered 200 / 503 / failed; slowest /-/healthy',
        median: `${load.ok} / ${load.refused} / ${load.failed}`,
        baseline: `${mb(load.bytes)} sent`,
        ratio: '-',
        target: ms(load.healthyMaxMs),
      },
    ];
  } finally {
    if (client) await stopChild(client);
    await stopChild(exporter);
  }
}
