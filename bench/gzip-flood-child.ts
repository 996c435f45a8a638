/**
 * Child-process entry for figure 6: the exporter alone in its process, polling on a real schedule, so its RSS is
 * its own. Reports its idle RSS, then, between 'start' and 'stop' from the parent, its peak RSS and poll cycles.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import { startExporter } from '../src/runtime/start.js';
import { benchConfig, benchTargets, gc, silentLogger } from './fixtures.js';
import type { FloodReady, FloodReport } from './gzip-flood.js';
import { curlScrape } from './scrape-client.js';

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage().rss;
}

/** Resets the kernel's RSS high-water mark; false where /proc does not allow it. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const vmHwm = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;

async function counter(running: Awaited<ReturnType<typeof startExporter>>, name: string): Promise<number> {
  const metric = await running.metrics.registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? 0;
}

async function main(): Promise<void> {
  const [simUrl, count, everyS] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const send = process.send?.bind(process);
  if (simUrl === undefined || !Number.isInteger(count) || !Number.isInteger(everyS) || send === undefined) {
    throw new Error('usage: fork(gzip-flood-child.js, [SIM_URL, COUNT, EVERY_S]) with an IPC channel and --expose-gc');
  }
  const running = await startExporter({
    config: benchConfig(simUrl, benchTargets(count), { schedule: `*/${everyS} * * * * *` }),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    defaultMetrics: true,
  });
  await running.exporter.runner.idle();
  await curlScrape(running.url, 'gzip');
  await delay(5000);
  const ready: FloodReady = { type: 'ready', url: running.url, idleRss: await settledRss() };
  send(ready);

  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const exact = resetPeak();
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const cycles0 = await counter(running, 'clouddc_exporter_poll_cycles_total');
  const skipped0 = await counter(running, 'clouddc_exporter_poll_cycles_skipped_total');
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  clearInterval(sampler);
  const report: FloodReport = {
    type: 'report',
    peakRss: exact ? vmHwm() : sampled,
    peakSource: exact ? 'VmHWM' : 'sampled',
    cycles: (await counter(running, 'clouddc_exporter_poll_cycles_total')) - cycles0,
    skipped: (await counter(running, 'clouddc_exporter_poll_cycles_skipped_total')) - skipped0,
  };
  send(report, () => {
    void running.stop(100).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error('gzip-flood-child:', err);
  process.exit(1);
});
