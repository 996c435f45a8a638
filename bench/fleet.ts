import { NODE_FLAGS } from '../src/runtime/node-flags.js';
import type { FleetMeasured, FromFleetChild, ToFleetChild } from './fleet-child.js';
import { mb, ms, times, type Row } from './report.js';
import { curlScrape } from './scrape-client.js';
import { forkChild, nextMessage, startSimProcess, stopChild } from './sim-process.js';
import { median } from './stats.js';

/** A round renders 160,000 lines the bare walk does not: most of the gap. 1 s is 1.7 % of a core at the 1 m default. */
const TARGET_CPU_MS = 1000;
const TARGET_CPU_RATIO = 8;
/** Twice figure 1's body: twice its 30 ms target. */
const TARGET_SCRAPE_MS = 60;
/** Figure 4's 150 MB for the exports, and 100 MB for the servers. */
const TARGET_RSS_BYTES = 250 * 1024 ** 2;
const ROUNDS = 5;

interface Variant {
  readonly scrapeMs: number[];
  readonly bytes: number;
  readonly measured: FleetMeasured;
}

/** One exporter child (exports only, or exports and servers): ready, scraped by curl from here, then measured. */
async function variant(simUrl: string, exports: number, servers: number): Promise<Variant> {
  const child = forkChild('./fleet-child.js', [simUrl, String(exports), String(servers)], ['--expose-gc', ...NODE_FLAGS]);
  try {
    const what = `the fleet child (${servers} servers)`;
    const { url } = await nextMessage<Extract<FromFleetChild, { type: 'ready' }>>(child, 'ready', 120_000, `starting ${what}`);
    const scrapeMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 2 + 11; i++) {
      const scrape = await curlScrape(url, 'identity');
      if (i >= 2) scrapeMs.push(scrape.ms);
      bytes = scrape.bytes;
    }
    child.send({ type: 'measure', rounds: servers > 0 ? ROUNDS : 0 } satisfies ToFleetChild);
    const measured = await nextMessage<FleetMeasured>(child, 'measured', 120_000, `${what} measuring`);
    return { scrapeMs, bytes, measured };
  } finally {
    await stopChild(child, { type: 'stop' } satisfies ToFleetChild);
  }
}

/**
 * Figure 8: server discovery of `servers` servers (ListServers pages of 1,000, then ListAlarms) beside the
 * 10,000 exports. Discovery CPU per round against walking the same pages with undici and JSON.parse alone;
 * /metrics and RSS with both families against an exporter of the same exports without `servers:`, same run.
 */
export async function benchFleet(exports: number, servers: number): Promise<Row[]> {
  const sim = await startSimProcess(exports, servers);
  try {
    const without = await variant(sim.url, exports, 0);
    const withServers = await variant(sim.url, exports, servers);
    const m = withServers.measured;
    const cpu = median(m.roundCpuUs) / 1000;
    const bare = median(m.bareCpuUs) / 1000;
    const scrape = median(withServers.scrapeMs);
    const scrapeBase = median(without.scrapeMs);
    const perServer = m.serverSeries / servers;
    return [
      {
        figure: `8. discovery CPU per round, ${servers} servers (${m.pages.servers} + ${m.pages.alarms} alarm pages)`,
        median: ms(cpu),
        baseline: `${ms(bare)} undici + JSON.parse`,
        ratio: times(cpu / bare),
        target: `≤ ${ms(TARGET_CPU_MS)}, ≤ ${TARGET_CPU_RATIO}× baseline`,
        pass: cpu <= TARGET_CPU_MS && cpu / bare <= TARGET_CPU_RATIO,
      },
      {
        figure: "   of which rendering the servers' lines",
        median: ms(median(m.renderCpuUs) / 1000),
        baseline: ms(cpu),
        ratio: `${((median(m.renderCpuUs) / 1000 / cpu) * 100).toFixed(0)}% of round`,
        target: '-',
      },
      { figure: '   discovery round, wall time', median: ms(median(m.roundWallMs)), baseline: '-', ratio: '-', target: '-' },
      {
        figure: `   /metrics, ${exports} exports + ${servers} servers`,
        median: ms(scrape),
        baseline: `${ms(scrapeBase)} exports only`,
        ratio: times(scrape / scrapeBase),
        target: `≤ ${TARGET_SCRAPE_MS} ms`,
        pass: scrape <= TARGET_SCRAPE_MS,
      },
      {
        figure: `   RSS, ${exports} exports + ${servers} servers`,
        median: mb(m.rss),
        baseline: `${mb(without.measured.rss)} exports only`,
        ratio: `+${mb(m.rss - without.measured.rss)}`,
        target: `≤ ${mb(TARGET_RSS_BYTES)}`,
        pass: m.rss <= TARGET_RSS_BYTES,
      },
      {
        figure: `   series per server (${m.serverSeries} in all)`,
        median: perServer.toFixed(1),
        baseline: '-',
        ratio: '-',
        target: '-',
      },
      {
        figure: '   body size',
        median: mb(withServers.bytes),
        baseline: `${mb(without.bytes)} exports only`,
        ratio: times(withServers.bytes / without.bytes),
        target: '-',
      },
    ];
  } finally {
    await sim.stop();
  }
}
