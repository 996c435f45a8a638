/**
 * `npm run soak`: the exporter (in this process) polls 10,000 exports on the simulator (a child process) every
 * 5 s under a scripted mix of faults, while a scraper (another child process) fetches /metrics every second.
 * Bounded and local: everything listens on 127.0.0.1, and a watchdog ends the run.
 *
 *   node --expose-gc build/soak/run.js [--duration=10m] [--exports=10000] [--warmup=60s] [--seed=20261127] [--profile=mixed]
 *
 * Profiles: `mixed` (default) scripts about 4 % of polls to fail in ten ways, with retries off. `failing` makes
 * 20 % of the exports answer 500 to every request, with retries and backoff at their defaults, and checks that
 * the healthy 80 % stay fresh (freshness.ts).
 *
 * Figures, measured on a shared machine (exit 1 when one is missed):
 * - resident memory grows by at most 10 % from the end of the warm-up to the end of the run;
 * - event-loop delay p99 (perf_hooks.monitorEventLoopDelay) at most 50 ms after the warm-up;
 * - scrape p99 after the warm-up within the benchmark's /metrics target (30 ms, bench figure 1). Beside it, a
 *   control: a process that only serves the same bytes in the same chunks, scraped the same way half a second
 *   later, shows what moving that much data costs on this machine under the same load.
 * Checks, which hold on any machine (exit 3 when one fails, whatever the figures):
 * - no scrape fails;
 * - every failed poll was injected by the simulator: the exporter's error counters equal, code by code, the
 *   faults the simulator's plan scripted for the requests it received; and the requests sent equal those received;
 * - no unhandled rejection and no process warning;
 * - `failing` profile: no healthy export's last-success age, sampled every second, ever exceeds twice the
 *   interval, and the staleness alert's condition (its threshold scaled to the interval) never holds for one.
 * Exit 2 when the soak itself fails to run.
 */
import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { benchConfig, benchTargets, EXPORTS, gc } from '../bench/fixtures.js';
import { machineLine } from '../bench/machine.js';
import { mb } from '../bench/report.js';
import { forkChild, nextMessage, stopChild } from '../bench/sim-process.js';
import { median } from '../bench/stats.js';
import { formatDuration, parseDuration } from '../src/config/duration.js';
import { scheduleIntervalMs } from '../src/poller/capacity.js';
import { startExporter, type Running } from '../src/runtime/start.js';
import { FAIL_EVERY, FreshnessWatch, staleAlertIntervals } from './freshness.js';
import { MIX, PLAN_LENGTH, type Profile } from './plan.js';
import type { FromControl } from './control-child.js';
import type { FromScraper, ToScraper } from './scrape-child.js';
import type { FromSoakSim, ToSoakSim } from './sim-child.js';

const RSS_GROWTH_MAX = 0.1;
const LOOP_DELAY_P99_MAX_MS = 50;
/** Bench figure 1's target for GET /metrics with 10,000 exports (bench/scrape.ts). */
const SCRAPE_TARGET_MS = 30;
const SCHEDULE = '*/5 * * * * *';
const TIMEOUT_MS = 500;
const CONCURRENCY = 64;
const INTERVAL_S = scheduleIntervalMs(SCHEDULE) / 1000;
/** The failing profile's poll settings: retries and backoff at their defaults, as a user runs them. */
const RETRIES: Record<Profile, { retries: number; backoffInitialMs: number; backoffMaxMs: number; timeoutMs: number }> = {
  mixed: { retries: 0, backoffInitialMs: 100, backoffMaxMs: 500, timeoutMs: TIMEOUT_MS },
  // No timeouts are scripted here, so a short timeout would only measure how loaded the machine is.
  failing: { retries: 2, backoffInitialMs: 500, backoffMaxMs: 30_000, timeoutMs: 2000 },
};

interface Options {
  readonly durationMs: number;
  readonly exports: number;
  readonly warmupMs: number;
  readonly seed: number;
  readonly profile: Profile;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const duration = (name: string, fallback: number): number => {
    const text = get(name);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) throw new Error(`--${name}: not a duration: ${text}`);
    return ms;
  };
  for (const a of argv) {
    if (!/^--(duration|exports|warmup|seed|profile)=/.test(a)) {
      throw new Error(`unknown argument ${a}; use --duration=10m --exports=10000 --warmup=60s --seed=N --profile=mixed|failing`);
    }
  }
  const durationMs = duration('duration', 10 * 60_000);
  const exports = Number(get('exports') ?? EXPORTS);
  if (!Number.isInteger(exports) || exports < 1) throw new Error('--exports: a whole number >= 1');
  const warmupMs = duration('warmup', Math.min(60_000, durationMs / 5));
  if (warmupMs >= durationMs) throw new Error('--warmup must be shorter than --duration');
  const seed = Number(get('seed') ?? 20261127);
  if (!Number.isInteger(seed)) throw new Error('--seed: an integer');
  const profile = get('profile') ?? 'mixed';
  if (profile !== 'mixed' && profile !== 'failing') throw new Error('--profile: mixed or failing');
  return { durationMs, exports, warmupMs, seed, profile };
}

function log(msg: string): void {
  console.error(`[soak] ${msg}`);
}

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
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

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly pass?: boolean;
  /** A correctness check rather than a performance figure: see the exit codes above. */
  readonly check?: true;
}

function table(rows: readonly Row[]): string {
  const cells = [
    ['figure', 'value', 'target', 'result'],
    ...rows.map((r) => [r.figure, r.value, r.target, r.pass === undefined ? 'info' : r.pass ? 'PASS' : 'FAIL']),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

type ScrapeReport = Extract<FromScraper, { type: 'report' }>;

async function stopScraper(child: ChildProcess): Promise<ScrapeReport> {
  const report = nextMessage<ScrapeReport>(child, 'report', 30_000);
  child.send({ type: 'stop' } satisfies ToScraper);
  const scrapes = await report;
  await stopChild(child);
  return scrapes;
}

async function soak(o: Options): Promise<Row[]> {
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

    // RSS: medians over a window right after the warm-up and over the last window, so GC's saw-tooth cancels out.
    const windowMs = Math.min(30_000, Math.max(5_000, (o.durationMs - o.warmupMs) / 4));
    const after = rss.filter((s) => s.at >= o.warmupMs && s.at < o.warmupMs + windowMs).map((s) => s.rss);
    const end = rss.filter((s) => s.at >= o.durationMs - windowMs).map((s) => s.rss);
    const rssAfter = median(after);
    const rssEnd = median(end);
    const growth = rssEnd / rssAfter - 1;
    const p99Loop = loop.percentile(99) / 1e6;
    // Scrapes that started after the warm-up, like every other figure but failures (which count whenever).
    const settled = (r: ScrapeReport) => r.ms.filter((_, i) => r.at[i]! >= warmedUpAt);
    const scrapeMs = settled(scrapes);
    const controlMs = settled(controlScrapes);
    const scrapeP99 = quantile(scrapeMs, 0.99);
    const controlP99 = quantile(controlMs, 0.99);
    const codes = [...new Set([...Object.keys(injected), ...Object.keys(counted)])].sort();
    // With retries, a failing export's poll is 1 + retries requests, every one of them an injected 500.
    const perPoll = o.profile === 'failing' ? 1 + RETRIES.failing.retries : 1;
    const uninjected = codes.filter((c) => (counted[c] ?? 0) * perPoll > (injected[c] ?? 0));
    const failuresMatch = codes.every((c) => (counted[c] ?? 0) * perPoll === (injected[c] ?? 0));
    const list = (r: Record<string, number>) => codes.map((c) => `${c}:${r[c] ?? 0}`).join(' ');
    const injectedTotal = Object.values(injected).reduce((a, b) => a + b, 0);
    const countedTotal = Object.values(counted).reduce((a, b) => a + b, 0);

    return [
      {
        figure: `resident memory, ${formatDuration(windowMs)} medians`,
        value: `${mb(rssAfter)} after warm-up → ${mb(rssEnd)} at end (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`,
        target: `≤ +${RSS_GROWTH_MAX * 100} %`,
        pass: growth <= RSS_GROWTH_MAX,
      },
      { figure: '   peak RSS / V8 heap after GC', value: `${mb(Math.max(...rss.map((s) => s.rss)))} / ${mb(heapAfterWarmup)} → ${mb(heapAtEnd)}`, target: '-' },
      {
        figure: 'event-loop delay p99 (after warm-up)',
        value: `${p99Loop.toFixed(1)} ms (p50 ${(loop.percentile(50) / 1e6).toFixed(1)}, max ${(loop.max / 1e6).toFixed(0)} ms)`,
        target: `≤ ${LOOP_DELAY_P99_MAX_MS} ms`,
        pass: p99Loop <= LOOP_DELAY_P99_MAX_MS,
      },
      {
        figure: '   GC pauses: count / p99 / longest',
        value: `${gcPauses.length} / ${quantile(gcPauses, 0.99).toFixed(1)} ms / ${Math.max(0, ...gcPauses).toFixed(1)} ms`,
        target: '-',
      },
      {
        figure: `GET /metrics p99 (${scrapeMs.length} scrapes after warm-up, ${mb(scrapes.bytes)})`,
        value: `${scrapeP99.toFixed(1)} ms (p50 ${quantile(scrapeMs, 0.5).toFixed(1)}, max ${Math.max(...scrapeMs).toFixed(0)} ms)`,
        target: `≤ ${SCRAPE_TARGET_MS} ms (bench)`,
        pass: scrapeP99 <= SCRAPE_TARGET_MS,
      },
      {
        figure: `   control: same bytes, static server (${controlMs.length} scrapes)`,
        value: `${controlP99.toFixed(1)} ms (p50 ${quantile(controlMs, 0.5).toFixed(1)}, max ${Math.max(...controlMs).toFixed(0)} ms); exporter p99 = ${(scrapeP99 / controlP99).toFixed(2)}× control`,
        target: '-',
      },
      {
        figure: '   failed / overlapping scrapes',
        value: `${scrapes.failures.length} / ${scrapes.overlapped}${scrapes.failures.length ? ` (${scrapes.failures[0]})` : ''}`,
        target: '0 failed',
        pass: scrapes.failures.length === 0,
        check: true,
      },
      {
        figure: 'polls: requests sent / received',
        value: `${sent} / ${served} in ${cycles} cycles`,
        target: 'equal',
        pass: sent === served && sent > 0,
        check: true,
      },
      { figure: '   ticks skipped / longest cycle', value: `${skipped} / ${longestCycle.toFixed(2)} s (polls spread over most of 5 s by design)`, target: '-' },
      {
        figure: `failed ${perPoll > 1 ? `requests (${perPoll} per failed poll)` : 'polls'}: injected / counted`,
        value: `${injectedTotal} / ${countedTotal * perPoll} (${((countedTotal / Math.max(1, sent)) * 100).toFixed(2)} % of polls)`,
        target: 'equal, by code',
        pass: failuresMatch,
        check: true,
      },
      { figure: '   injected by code', value: list(injected), target: '-' },
      { figure: '   counted by code', value: list(counted), target: '-' },
      {
        figure: '   failed polls not injected',
        value: uninjected.length === 0 ? 'none' : uninjected.map((c) => `${c}:+${(counted[c] ?? 0) - (injected[c] ?? 0)}`).join(' '),
        target: 'none',
        pass: uninjected.length === 0,
        check: true,
      },
      ...(freshness ? freshnessRows(freshness, staleAfter) : []),
      {
        figure: 'unhandled rejections / warnings',
        value: problems.length === 0 ? 'none' : problems.slice(0, 3).join('; '),
        target: 'none',
        pass: problems.length === 0,
        check: true,
      },
    ];
  } finally {
    if (scraper) await stopChild(scraper);
    if (controlScraper) await stopChild(controlScraper);
    if (control) await stopChild(control);
    await running?.stop(100).catch(() => undefined);
    await stopChild(sim, { type: 'stop' } satisfies ToSoakSim);
  }
}

/** The failing profile's checks: healthy exports keep their interval and never look stale. */
function freshnessRows(f: FreshnessWatch, staleAfter: number): Row[] {
  const limit = 2 * INTERVAL_S;
  return [
    {
      figure: `healthy exports: longest last-success age (${f.samples} samples, 1 s apart)`,
      value: `${f.maxAgeSeconds.toFixed(1)} s (export ${f.worst || '-'})`,
      target: `≤ ${limit} s (2 × interval)`,
      pass: f.samples > 0 && f.maxAgeSeconds <= limit,
      check: true,
    },
    {
      figure: `   staleness alert condition (age > ${staleAfter} s) for a healthy export`,
      value: f.staleSamples === 0 ? 'never' : `${f.staleSamples} samples, ${f.staleExports.size} exports`,
      target: 'never',
      pass: f.staleSamples === 0,
      check: true,
    },
  ];
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`soak: ${(err as Error).message}`);
    return 2;
  }
  const watchdog = setTimeout(
    () => {
      console.error(`[soak] gave up: the run took 5 minutes longer than --duration`);
      process.exit(2);
    },
    o.durationMs + 5 * 60_000,
  );
  watchdog.unref();
  console.log(`machine: ${machineLine()}`);
  console.log(
    `soak (${o.profile}): ${o.exports} exports, poll.schedule "${SCHEDULE}" with spread on, concurrency ${CONCURRENCY}, timeout ${RETRIES[o.profile].timeoutMs} ms, ` +
      `retries ${RETRIES[o.profile].retries}; ${formatDuration(o.durationMs)} (warm-up ${formatDuration(o.warmupMs)}); /metrics every 1 s; ` +
      (o.profile === 'failing'
        ? `every ${FAIL_EVERY}th export answers 500 to every request, the others never fail`
        : `faults per poll: ${MIX.map(([k, p]) => `${k} ${(p * 100).toFixed(3).replace(/\.?0+$/, '')} %`).join(', ')} (plan of ${PLAN_LENGTH} polls per export, seed ${o.seed})`),
  );
  let rows: Row[];
  try {
    rows = await soak(o);
  } catch (err) {
    console.error('[soak] failed:', err);
    return 2;
  }
  console.log('');
  console.log(table(rows));
  console.log('');
  const failed = rows.filter((r) => r.pass === false);
  const broken = failed.filter((r) => r.check);
  if (broken.length > 0) {
    console.log(`${broken.length} soak check(s) failed: ${broken.map((r) => r.figure.trim()).join('; ')}`);
    return 3;
  }
  console.log(failed.length === 0 ? 'all soak targets met' : `${failed.length} soak figure(s) missed on this machine`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[soak] failed:', err);
    process.exit(2);
  },
);
