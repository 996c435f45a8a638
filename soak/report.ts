import { mb } from '../bench/report.js';
import { median } from '../bench/stats.js';
import { formatDuration } from '../src/config/duration.js';
import type { FreshnessWatch } from './freshness.js';
import { INTERVAL_S, RETRIES, type Options } from './options.js';
import type { Measurements, ScrapeReport } from './session.js';

/** The soak's verdict on what a run measured: figures against their targets, checks, and the exit code. */

const RSS_GROWTH_MAX = 0.1;
const LOOP_DELAY_P99_MAX_MS = 50;
/** Bench figure 1's target for GET /metrics with 10,000 exports (bench/scrape.ts). */
const SCRAPE_TARGET_MS = 30;

export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly pass?: boolean;
  /** A correctness check rather than a performance figure: see the exit codes in run.ts. */
  readonly check?: true;
}

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

export function rows(o: Options, m: Measurements): Row[] {
  const { rss, loop, gcPauses, scrapes, controlScrapes, injected, counted, sent, problems } = m;
  // RSS: medians over a window right after the warm-up and over the last window, so GC's saw-tooth cancels out.
  const windowMs = Math.min(30_000, Math.max(5_000, (o.durationMs - o.warmupMs) / 4));
  const after = rss.filter((s) => s.at >= o.warmupMs && s.at < o.warmupMs + windowMs).map((s) => s.rss);
  const end = rss.filter((s) => s.at >= o.durationMs - windowMs).map((s) => s.rss);
  const rssAfter = median(after);
  const rssEnd = median(end);
  const growth = rssEnd / rssAfter - 1;
  // Scrapes that started after the warm-up, like every other figure but failures (which count whenever).
  const settled = (r: ScrapeReport) => r.ms.filter((_, i) => r.at[i]! >= m.warmedUpAt);
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
    {
      figure: '   peak RSS / V8 heap after GC',
      value: `${mb(Math.max(...rss.map((s) => s.rss)))} / ${mb(m.heapAfterWarmup)} → ${mb(m.heapAtEnd)}`,
      target: '-',
    },
    {
      figure: 'event-loop delay p99 (after warm-up)',
      value: `${loop.p99.toFixed(1)} ms (p50 ${loop.p50.toFixed(1)}, max ${loop.max.toFixed(0)} ms)`,
      target: `≤ ${LOOP_DELAY_P99_MAX_MS} ms`,
      pass: loop.p99 <= LOOP_DELAY_P99_MAX_MS,
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
      value: `${sent} / ${m.served} in ${m.cycles} cycles`,
      target: 'equal',
      pass: sent === m.served && sent > 0,
      check: true,
    },
    {
      figure: '   ticks skipped / longest cycle',
      value: `${m.skipped} / ${m.longestCycle.toFixed(2)} s (polls spread over most of 5 s by design)`,
      target: '-',
    },
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
    ...(m.freshness ? freshnessRows(m.freshness, m.staleAfter) : []),
    {
      figure: 'unhandled rejections / warnings',
      value: problems.length === 0 ? 'none' : problems.slice(0, 3).join('; '),
      target: 'none',
      pass: problems.length === 0,
      check: true,
    },
  ];
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

export function table(rows: readonly Row[]): string {
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

/** The closing line and the exit code: 3 when a check failed, 1 when only a figure was missed, else 0. */
export function verdict(rows: readonly Row[]): { readonly line: string; readonly code: number } {
  const failed = rows.filter((r) => r.pass === false);
  const broken = failed.filter((r) => r.check);
  if (broken.length > 0) {
    return { line: `${broken.length} soak check(s) failed: ${broken.map((r) => r.figure.trim()).join('; ')}`, code: 3 };
  }
  return {
    line: failed.length === 0 ? 'all soak targets met' : `${failed.length} soak figure(s) missed on this machine`,
    code: failed.length === 0 ? 0 : 1,
  };
}
