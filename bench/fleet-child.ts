/**
 * Child-process entry for figure 8: the exporter with 10,000 polled exports and, when SERVERS > 0, discovery of
 * that many servers against the simulator child. Scraped by curl from the parent (see scrape-child.ts for why
 * not from here); measures its own RSS and, with servers, the CPU of discovery rounds beside a bare walk of the
 * same pages (undici GET + JSON.parse).
 */
import { setImmediate as tick } from 'node:timers/promises';
import { Pool } from 'undici';
import { FleetExposition } from '../src/exposition/exposition.js';
import { ALARMS_PAGE_LIMIT, SERVERS_PAGE_LIMIT, alarmsPath, serversPath } from '../src/clouddc/fleet-api.js';
import type { ExporterConfig } from '../src/domain/config.js';
import { startExporter } from '../src/runtime/start.js';
import { BENCH_PROJECT, BENCH_TOKEN, benchConfig, benchTargets, gc, silentLogger } from './fixtures.js';

export type ToFleetChild = { type: 'measure'; rounds: number } | { type: 'stop' };
export interface FleetMeasured {
  readonly type: 'measured';
  readonly baselineRss: number;
  readonly rss: number;
  /** CPU µs of each measured discovery round, and of the bare walk of the same pages; empty without servers. */
  readonly roundCpuUs: number[];
  readonly bareCpuUs: number[];
  readonly roundWallMs: number[];
  /** CPU µs of rendering the servers' lines alone (part of each round). */
  readonly renderCpuUs: number[];
  /** ListServers and ListAlarms pages of the last measured round. */
  readonly pages: { servers: number; alarms: number };
  readonly serverSeries: number;
}
export type FromFleetChild = { type: 'ready'; url: string } | FleetMeasured;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage().rss;
}

function withServers(config: ExporterConfig): ExporterConfig {
  const [name, account] = [...config.accounts][0]!;
  // An hour: only the first round and the ones run here, never a timer's, happen during the run.
  return { ...config, accounts: new Map([[name, { ...account, servers: { intervalMs: 3_600_000, alarms: true } }]]) };
}

/** ListServers to the last marker and ListAlarms to the count, as discovery pages, with nothing but JSON.parse. */
async function bareWalk(pool: Pool): Promise<{ servers: number; alarms: number }> {
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await pool.request({ path, method: 'GET', headers: { 'x-auth-token': BENCH_TOKEN } });
    const body = JSON.parse(await res.body.text()) as Record<string, unknown>;
    if (res.statusCode !== 200) throw new Error(`bare walk: ${path} answered ${res.statusCode}`);
    return body;
  };
  const pages = { servers: 0, alarms: 0 };
  let marker: string | undefined;
  do {
    const page = await get(serversPath(BENCH_PROJECT, SERVERS_PAGE_LIMIT, marker, undefined));
    pages.servers++;
    const next = (page['page_info'] as { next_marker?: string } | undefined)?.next_marker;
    marker = (page['servers'] as unknown[]).length > 0 && next ? next : undefined;
  } while (marker !== undefined);
  for (let offset = 0; ;) {
    const page = await get(alarmsPath(BENCH_PROJECT, offset, ALARMS_PAGE_LIMIT));
    pages.alarms++;
    const got = (page['alarms'] as unknown[]).length;
    offset += got;
    if (got === 0 || offset >= (page['count'] as number)) break;
  }
  return pages;
}

function cpuUs(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const [simUrl, exports, servers] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const send = process.send?.bind(process);
  if (simUrl === undefined || !Number.isInteger(exports) || !Number.isInteger(servers) || send === undefined) {
    throw new Error('usage: fork(fleet-child.js, [SIM_URL, EXPORTS, SERVERS]) with an IPC channel and --expose-gc');
  }
  const baselineRss = await settledRss();
  const config = benchConfig(simUrl, benchTargets(exports));
  const running = await startExporter({
    config: servers > 0 ? withServers(config) : config,
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
  });
  const { exporter } = running;
  // startExporter started the first cycle and the first round; runNow() awaits that round.
  await Promise.all([exporter.runner.idle(), exporter.fleet.runNow()]);
  if (![...exporter.store.states()].every((s) => s.lastPollOk)) throw new Error('not every export was polled');
  const discovered = () => exporter.fleet.fleets()[0];
  if (servers > 0 && (discovered()?.lastRoundOk !== true || discovered()!.servers.size !== servers)) {
    throw new Error(`discovery found ${discovered()?.servers.size ?? 0} of ${servers} servers: ${discovered()?.lastError ?? ''}`);
  }

  process.on('message', (m: ToFleetChild) => {
    if (m.type === 'stop') {
      void running.stop(100).finally(() => process.exit(0));
      return;
    }
    void (async () => {
      const rss = await settledRss();
      const lease = await exporter.scrape({ gzip: false });
      const serverSeries = Buffer.concat(lease.chunks).toString('utf8').split('\nclouddc_server_').length - 1;
      lease.release();
      const rounds = {
        roundCpuUs: [] as number[],
        bareCpuUs: [] as number[],
        roundWallMs: [] as number[],
        renderCpuUs: [] as number[],
        pages: { servers: 0, alarms: 0 },
      };
      if (servers > 0) {
        const pool = new Pool(new URL(simUrl).origin, { connections: 1 });
        try {
          // Round 0 warms both paths up and is not counted (the exporter's very first round ran at start-up).
          for (let round = 0; round <= m.rounds; round++) {
            gc();
            let before = process.cpuUsage();
            const pages = await bareWalk(pool);
            const bare = cpuUs(before);
            gc();
            before = process.cpuUsage();
            const t0 = performance.now();
            await exporter.fleet.runNow();
            const wall = performance.now() - t0;
            const ours = cpuUs(before);
            if (discovered()?.lastRoundOk !== true) throw new Error(`a discovery round failed: ${discovered()?.lastError ?? ''}`);
            if (round === 0) continue;
            rounds.bareCpuUs.push(bare);
            rounds.roundCpuUs.push(ours);
            rounds.roundWallMs.push(wall);
            rounds.pages = pages;
            gc();
            before = process.cpuUsage();
            new FleetExposition().fleetChanged(discovered()!);
            rounds.renderCpuUs.push(cpuUs(before));
          }
        } finally {
          await pool.close();
        }
      }
      send({ type: 'measured', baselineRss, rss, serverSeries, ...rounds } satisfies FleetMeasured);
    })().catch((err: unknown) => {
      console.error('fleet-child:', err);
      process.exit(1);
    });
  });
  send({ type: 'ready', url: running.url } satisfies FromFleetChild);
}

main().catch((err: unknown) => {
  console.error('fleet-child:', err);
  process.exit(1);
});
