import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { startExporter } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { logSink } from '../support/auth-world.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { target } from '../support/factories.js';
import {
  bystander,
  errorCodes,
  expectNoErrorLogs,
  faulted,
  forExport,
  HEALTHY,
  INTERVAL_MS,
  onCleanup,
  scrape,
  startRig,
  T0,
  value,
  watchProcess,
} from './harness.js';

watchProcess();

const EXPORTS = 40;

function restartOn(url: string, now: () => number, keys = Array.from({ length: EXPORTS }, (_, i) => faulted(i))): Promise<Simulator> {
  return startSimulator({
    port: Number(new URL(url).port),
    token: TOKEN,
    now,
    exports: [...keys, bystander].map((t) => ({ ...t, behaviour: HEALTHY })),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the simulator restarts in the middle of a cycle', () => {
  it('polls in flight and during the gap fail as network, the rest succeed, the next cycle recovers', async () => {
    // Slow answers and little concurrency make the cycle last long enough to restart inside it.
    const rig = await startRig({ faulted: EXPORTS, poll: { concurrency: 4, timeoutMs: 2000 } });
    rig.sim.setLatency(40);
    rig.sim.clearRequests();
    rig.clock.advance(INTERVAL_MS);
    const cycleAt = rig.clock.ms / 1000;
    const cycle = rig.running.exporter.pollOnce();
    while (rig.sim.requestCount < 12) await sleep(5);
    const oldSim = rig.sim;
    // Down and straight up again on the same port: polls in flight are cut off, polls in the gap are refused.
    await oldSim.close();
    const newSim = await restartOn(oldSim.url, rig.clock.now);
    onCleanup(() => newSim.close());
    newSim.setLatency(40);
    // Scrapes while the rest of the cycle runs against the new simulator: each answers 200 (scrape() checks it,
    // and gives up after 5 s). How long they take is the bench's business; the counts below are this test's.
    for (let i = 0; i < 3; i++) await scrape(rig);
    await cycle;

    const text = (await scrape(rig)).text;
    let failed = 0;
    let succeeded = 0;
    for (const t of [...rig.targets, bystander]) {
      const ok = value(text, 'clouddc_log_export_poll_success', forExport(t));
      const last = value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t));
      const errors = value(text, 'clouddc_log_export_api_errors_total', { ...forExport(t), code: 'network' }) ?? 0;
      if (ok === 1) {
        succeeded++;
        expect([last, errors]).toEqual([cycleAt, 0]);
      } else {
        failed++;
        expect([ok, last, errors]).toEqual([0, T0 / 1000, 1]);
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(succeeded).toBeGreaterThan(0);
    // Every failure is one network error and nothing else; every success is one 200 answer.
    expect(failed + succeeded).toBe(EXPORTS + 1);
    expect(errorCodes(text)).toEqual({ '401': 0, '429': 0, '500': 0, network: failed });
    const requests = (code: string) => ['main', 'other'].reduce((sum, account) => sum + (value(text, 'clouddc_api_requests_total', { account, code }) ?? 0), 0);
    expect(requests('network')).toBe(failed);
    expect(requests('200')).toBe(EXPORTS + 1 + succeeded);
    // The restarted simulator answered only successes; the old one saw the rest, some of them cut off.
    expect(newSim.requestCount).toBeLessThanOrEqual(succeeded);
    expect(oldSim.requestCount + newSim.requestCount).toBeGreaterThanOrEqual(succeeded);

    // The next tick: everything recovers on its own.
    rig.clock.advance(INTERVAL_MS);
    await rig.running.exporter.pollOnce();
    const after = (await scrape(rig)).text;
    for (const t of [...rig.targets, bystander]) {
      expect(value(after, 'clouddc_log_export_poll_success', forExport(t))).toBe(1);
      expect(value(after, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t))).toBe(rig.clock.ms / 1000);
    }
    expect(errorCodes(after)).toEqual({ '401': 0, '429': 0, '500': 0, network: failed });
    expectNoErrorLogs(rig);
  });

  it('on the real schedule, with nothing poked: counts the outage exactly and recovers by itself', async () => {
    const sink = logSink();
    const t = target({ serverId: 'scheduled', exportId: '1' });
    // On the real clock: an export that keeps processing for a day.
    const LIVE = { kind: 'progress', durationMs: 24 * 3600_000 } as const;
    let sim = await startSimulator({ token: TOKEN, exports: [{ ...t, projectId: PROJECT, behaviour: LIVE }] });
    const url = sim.url;
    let answered = 0;
    onCleanup(() => sim.close());
    const running = await startExporter({
      config: config([account(url)], [t], { schedule: '* * * * * *', timeoutMs: 300 }),
      logger: pino({ level: 'debug' }, sink.stream),
      listen: { host: '127.0.0.1', port: 0 },
      defaultMetrics: false,
    });
    onCleanup(() => running.stop(100));
    const metrics = async () => (await fetch(`${running.url}/metrics`)).text();
    const cyclesNow = async () => value(await metrics(), 'clouddc_exporter_poll_cycles_total') ?? 0;
    // Wait for two scheduled cycles after the start-up one, then take the simulator away for ~2.5 s.
    while ((await cyclesNow()) < 3) await sleep(50);
    answered += sim.requestCount;
    await sim.close();
    const outageFrom = Date.now() / 1000;
    await sleep(2500);
    sim = await startSimulator({ port: Number(new URL(url).port), token: TOKEN, exports: [{ ...t, projectId: PROJECT, behaviour: LIVE }] });
    const outageTo = Date.now() / 1000;
    // Nothing is poked: the schedule's next tick polls again.
    let text = await metrics();
    while (value(text, 'clouddc_log_export_poll_success', forExport(t)) !== 1 || sim.requestCount === 0) {
      await sleep(50);
      text = await metrics();
    }
    // Settle between ticks so that no cycle is half-way through the reading.
    await sleep(300);
    text = await metrics();
    answered += sim.requestCount;
    const cycles = value(text, 'clouddc_exporter_poll_cycles_total')!;
    const network = value(text, 'clouddc_log_export_api_errors_total', { ...forExport(t), code: 'network' })!;
    expect(network).toBeGreaterThanOrEqual(2);
    expect(network + answered).toBe(cycles);
    const lastSuccess = value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t))!;
    expect(lastSuccess).toBeGreaterThan(outageTo - 0.001);
    expect(lastSuccess).toBeGreaterThan(outageFrom);
    const bad = sink.lines().filter((l) => typeof l.level === 'number' && l.level >= 50);
    expect(bad).toEqual([]);
  });
});
