import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { benchConfig, benchTargets, gc } from '../bench/fixtures.js';
import { mb } from '../bench/report.js';
import { forkChild, nextMessage, stopChild } from '../bench/sim-process.js';
import { formatDuration } from '../src/config/duration.js';
import { startExporter, type Running } from '../src/runtime/start.js';
import { FreshnessWatch, staleAlertIntervals } from './freshness.js';
import { CONCURRENCY, INTERVAL_S, RETRIES, SCHEDULE, TIMEOUT_MS, type Options } from './options.js';
import type { FromControl } from './control-child.js';
import type { FromScraper, ToScraper } from './scrape-child.js';
import type { FromSoakSim, ToSoakSim } from './sim-child.js';

/**
 * One soak run: starts the simulator, the exporter, the scraper and its control, samples once a second for the
 * duration, stops everything in order and returns what it measured. Judging it is report.ts's job.
 */

export type ScrapeReport = Extract<FromScraper, { type: 'report' }>;

export interface Measurements {
  /** Resident memory once a second, `at` ms after the run started. */
  readonly rss: ReadonlyArray<{ at: number; rss: number }>;
  readonly heapAfterWarmup: number;
  readonly heapAtEnd: number;
  /** Event-loop delay after the warm-up, in ms. */
  readonly loop: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Garbage-collection pauses after the warm-up, in ms. */
  readonly gcPauses: readonly number[];
  /** When the warm-up ended (epoch ms). */
  readonly warmedUpAt: number;
  readonly scrapes: ScrapeReport;
  readonly controlScrapes: ScrapeReport;
  readonly cycles: number;
  readonly skipped: number;
  readonly longestCycle: number;
  /** Requests the exporter sent and the simulator received. */
  readonly sent: number;
  readonly served: number;
  /** Failures by code: the simulator's plan for the requests it received, and the exporter's counters. */
  readonly injected: Record<string, number>;
  readonly counted: Record<string, number>;
  /** Unhandled rejections and process warnings. */
  readonly problems: readonly string[];
  /** The failing profile's freshness samples, and the age past which the staleness alert's condition holds. */
  readonly freshness?: FreshnessWatch;
  readonly staleAfter: number;
}

export function log(msg: string): void {
  console.error(`[soak] ${msg}`);
}

async function metricValue(running: Running, name: string): Promise<number> {
  const all = await running.metrics.registry.getMetricsAsJSON();
  const m = all.find((x) => x.name === name);
  return (m?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

function errorCounts(running: Running): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of running.exporter.store.states()) {
    for (const [code, n] of s.errors) if (n > 0) out[code] = (out[code] ?? 0) + n;
  }
  return out;
}

async function stopScraper(child: ChildProcess): Promise<ScrapeReport> {
  const report = nextMessage<ScrapeReport>(child, 'report', 30_000);
  child.send({ type: 'stop' } satisfies ToScraper);
  const scrapes = await report;
  await stopChild(child);
  return scrapes;
}

export async function soak(o: Options): Promise<Measurements> {
  const problems: string[] = [];
  process.on('unhandledRejection', (r) => problems.push(`unhandledRejection: ${String(r)}`));
  process.on('warning', (w) => problems.push(`warning: ${w.name}: ${w.message}`));

  log(`starting the simulator child with ${o.exports} exports (fault plan seed ${o.seed})`);
  const sim = forkChild('../soak/sim-child.js', [String(o.exports), String(o.seed), String(TIMEOUT_MS), o.profile]);
  let scraper: ChildProcess | undefined;
  let control: ChildProcess | undefined;
  let controlScraper: ChildProcess | undefined;
  let running: Running | undefined;
  try {
    const ready = await nextMessage<Extract<FromSoakSim, { type: 'ready' }>>(sim, 'ready', 60_000);
    // Production-like logging (one JSON line per failed poll), thrown away.
    const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
    running = await startExporter({
      config: benchConfig(ready.url, benchTargets(o.exports), {
        schedule: SCHEDULE,
        spread: true,
        concurrency: CONCURRENCY,
        ...RETRIES[o.profile],
      }),
      logger,
      listen: { host: '127.0.0.1', port: 0 },
      defaultMetrics: true,
    });
    const exporter = running;
    await exporter.exporter.runner.idle();
    log(`exporter at ${exporter.url}; first cycle done; scraping every 1 s for ${formatDuration(o.durationMs)} (warm-up ${formatDuration(o.warmupMs)})`);
    scraper = forkChild('../soak/scrape-child.js', [exporter.url, '1000']);
    await nextMessage<Extract<FromScraper, { type: 'ready' }>>(scraper, 'ready', 30_000);
    const sample = await exporter.exporter.scrape({ gzip: false });
    const sizes = sample.chunks.map((c) => c.length).filter((n) => n > 0);
    sample.release();
    control = forkChild('../soak/control-child.js', [sizes.join(',')]);
    const { url: controlUrl } = await nextMessage<FromControl>(control, 'ready', 30_000);
    // Half a second after the exporter's scrapes, so that the two never overlap.
    await sleep(500);
    controlScraper = forkChild('../soak/scrape-child.js', [controlUrl, '1000']);
    await nextMessage<Extract<FromScraper, { type: 'ready' }>>(controlScraper, 'ready', 30_000);

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // Garbage-collection pauses after the warm-up, to tell the exporter's own stalls from the machine's.
    const gcPauses: number[] = [];
    let counting = false;
    const gcObserver = new PerformanceObserver((list) => {
      if (counting) for (const e of list.getEntries()) gcPauses.push(e.duration);
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const started = Date.now();
    const rss: Array<{ at: number; rss: number }> = [];
    let heapAfterWarmup = 0;
    let warmedUp = false;
    let warmedUpAt = Number.POSITIVE_INFINITY;
    let lastLog = started;
    let longestCycle = 0;
    const staleAfter = staleAlertIntervals() * INTERVAL_S;
    const freshness = o.profile === 'failing' ? new FreshnessWatch(staleAfter) : undefined;
    while (Date.now() - started < o.durationMs) {
      await sleep(1000);
      const at = Date.now() - started;
      freshness?.sample(exporter.exporter.store.states(), Date.now() / 1000);
      if (!warmedUp && at >= o.warmupMs) {
        warmedUp = true;
        warmedUpAt = Date.now();
        gc();
        heapAfterWarmup = process.memoryUsage().heapUsed;
        loop.reset();
        counting = true;
        log(`warm-up over at ${formatDuration(at)}: RSS ${mb(process.memoryUsage().rss)}, heap after GC ${mb(heapAfterWarmup)}`);
      }
      rss.push({ at, rss: process.memoryUsage().rss });
      longestCycle = Math.max(longestCycle, await metricValue(exporter, 'clouddc_exporter_poll_cycle_duration_seconds'));
      if (Date.now() - lastLog >= 30_000) {
        lastLog = Date.now();
        const errors = Object.values(errorCounts(exporter)).reduce((a, b) => a + b, 0);
        log(
          `${formatDuration(at)}: RSS ${mb(rss.at(-1)!.rss)}, loop p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, ` +
            `cycles ${await metricValue(exporter, 'clouddc_exporter_poll_cycles_total')}, skipped ${await metricValue(exporter, 'clouddc_exporter_poll_cycles_skipped_total')}, failed polls ${errors}`,
        );
      }
    }
    loop.disable();
    gcObserver.disconnect();

    log('stopping: scrapers, then the schedule (the cycle in flight finishes), then counting');
    const scrapes = await stopScraper(scraper);
    scraper = undefined;
    const controlScrapes = await stopScraper(controlScraper);
    controlScraper = undefined;
    await stopChild(control);
    control = undefined;
    const cycles = await metricValue(exporter, 'clouddc_exporter_poll_cycles_total');
    const skipped = await metricValue(exporter, 'clouddc_exporter_poll_cycles_skipped_total');
    await exporter.stop(15_000);
    const sent = await metricValue(exporter, 'clouddc_api_requests_total');
    const counted = errorCounts(exporter);
    gc();
    const heapAtEnd = process.memoryUsage().heapUsed;
    const simReport = nextMessage<Extract<FromSoakSim, { type: 'report' }>>(sim, 'report', 60_000);
    sim.send({ type: 'report' } satisfies ToSoakSim);
    const { served, injected } = await simReport;
    return {
      rss,
      heapAfterWarmup,
      heapAtEnd,
      loop: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      gcPauses,
      warmedUpAt,
      scrapes,
      controlScrapes,
      cycles,
      skipped,
      longestCycle,
      sent,
      served,
      injected,
      counted,
      // A copy: what went wrong during the run, not while the finally block below stops it.
      problems: [...problems],
      ...(freshness && { freshness }),
      staleAfter,
    };
  } finally {
    if (scraper) await stopChild(scraper);
    if (controlScraper) await stopChild(controlScraper);
    if (control) await stopChild(control);
    await running?.stop(100).catch(() => undefined);
    await stopChild(sim, { type: 'stop' } satisfies ToSoakSim);
  }
}
