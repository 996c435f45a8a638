/**
 * Child-process entry for figure 4: a fresh process, so the baseline RSS is not inflated by the
 * other figures' garbage. Reports over IPC and exits.
 */
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import { startExporter } from '../src/runtime/start.js';
import { benchConfig, benchTargets, gc, silentLogger } from './fixtures.js';
import { IDLE_MS, type MemoryReport } from './memory.js';
import { curlScrape } from './scrape-client.js';

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const [simUrl, count] = [process.argv[2], Number(process.argv[3])];
  if (simUrl === undefined || !Number.isInteger(count) || process.send === undefined) {
    throw new Error('usage: fork(memory-child.js, [SIM_URL, COUNT]) with an IPC channel and --expose-gc');
  }
  const baselineRss = await settledRss();

  const targets = benchTargets(count);
  const running = await startExporter({
    config: benchConfig(simUrl, targets),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
  });
  // The cycle startExporter starts at once is the one successful poll of each export.
  await running.exporter.runner.idle();
  let failed = 0;
  for (const s of running.exporter.store.states()) if (!s.lastPollOk) failed++;
  if (failed > 0) throw new Error(`${failed} of ${count} exports not polled successfully`);
  const { bytes } = await curlScrape(running.url, 'identity');

  const rss = await settledRss();
  const { heapUsed, heapTotal } = process.memoryUsage();
  await delay(IDLE_MS);
  const idleRss = await settledRss();
  const report: MemoryReport = { type: 'report', baselineRss, rss, heapUsed, heapTotal, idleRss, scrapedBytes: bytes };
  process.send(report, () => {
    void running.stop(100).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error('memory-child:', err);
  process.exit(1);
});
