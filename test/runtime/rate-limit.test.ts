import { describe, expect, it } from 'vitest';
import { stopAfterTest } from '../support/cleanup.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';

/**
 * The acceptance run for API rate limits, in real time against real sockets: the gateway allows N requests a
 * second, the exporter is configured for five times that, and polls back to back. The limiter has to find N
 * on its own from the 429s, stay under it, and climb again once the gateway's limit is lifted.
 */

const N = 20;
const LIMITED_MS = 6000;
/** The first episode takes ~3 s: from 5N the rate halves at most once a second (CUT_SPACING_MS). */
const SETTLE_MS = 3000;
const LIFTED_MS = 2000;
const EXPORTS = 16;

interface Sample {
  readonly at: number;
  readonly requests: number;
  readonly throttled: number;
  readonly rate: number;
}

let sim: Simulator | undefined;
let running: Running | undefined;

async function currentRate(r: Running): Promise<number> {
  const metric = await r.metrics.registry.getSingleMetric('clouddc_api_rate_limit')!.get();
  return metric.values.find((v) => v.labels['account'] === 'main')!.value;
}

/** Polls cycle after cycle until `ms` have passed (the last cycle is let finish). */
async function pollFor(r: Running, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) await r.exporter.pollOnce();
}

function between(samples: readonly Sample[], from: number, to: number) {
  const a = samples.find((s) => s.at >= from)!;
  const b = [...samples].reverse().find((s) => s.at <= to)!;
  const requests = b.requests - a.requests;
  return { perSecond: requests / ((b.at - a.at) / 1000), throttledShare: (b.throttled - a.throttled) / requests };
}

describe('API rate limit against a gateway that allows N requests per second', () => {
  it('settles under N with few 429s, and recovers when the limit is lifted', async () => {
    const targets = Array.from({ length: EXPORTS }, (_, i) => target({ serverId: `srv-${i}`, exportId: String(i) }));
    sim = stopAfterTest(
      await startSimulator({
        token: TOKEN,
        rateLimit: { requestsPerSecond: N },
        exports: targets.map((t) => ({
          projectId: PROJECT,
          serverId: t.serverId,
          exportId: t.exportId,
          behaviour: { kind: 'progress', durationMs: 3_600_000 },
        })),
      }),
    );
    const limited = account(sim.url, { rateLimit: { requestsPerSecond: 5 * N, burst: N } });
    running = stopAfterTest(
      await startExporter({
        config: config([limited], targets, { concurrency: 16, retries: 1, backoffInitialMs: 100, backoffMaxMs: 2000 }),
        logger: silentLogger,
        listen: { host: '127.0.0.1', port: 0 },
        defaultMetrics: false,
      }),
    );
    const r = running;
    const s = sim;
    await r.exporter.runner.idle();

    const samples: Sample[] = [];
    const sample = async () => samples.push({ at: Date.now(), requests: s.requestCount, throttled: s.throttledCount, rate: await currentRate(r) });
    const sampler = setInterval(() => void sample(), 100);
    try {
      s.clearRequests();
      const t0 = Date.now();
      await sample();
      await pollFor(r, LIMITED_MS);
      await sample();
      const lifted = Date.now();
      s.setRateLimit(undefined);
      await pollFor(r, LIFTED_MS);
      await sample();

      const settled = between(samples, t0 + SETTLE_MS, lifted);
      const whole = between(samples, t0, lifted);
      const limitedRates = samples.filter((x) => x.at <= lifted).map((x) => x.rate);
      const lowest = Math.min(...limitedRates);
      const atLift = samples.filter((x) => x.at <= lifted).at(-1)!.rate;
      const final = samples.at(-1)!.rate;
      console.log(
        `rate limit N=${N}/s, configured ${5 * N}/s: after ${SETTLE_MS / 1000} s ${settled.perSecond.toFixed(1)} requests/s ` +
          `with ${(100 * settled.throttledShare).toFixed(1)}% 429s (whole limited phase ${whole.perSecond.toFixed(1)}/s, ` +
          `${(100 * whole.throttledShare).toFixed(1)}% 429s); limiter rate ${5 * N} -> lowest ${lowest.toFixed(1)}, ` +
          `${atLift.toFixed(1)} when lifted, ${final.toFixed(1)} ${LIFTED_MS / 1000} s later`,
      );

      expect(settled.perSecond).toBeLessThanOrEqual(N);
      expect(settled.perSecond).toBeGreaterThan(N / 3);
      expect(settled.throttledShare).toBeLessThan(0.1);
      expect(lowest).toBeLessThan(N);
      expect(final).toBeGreaterThan(atLift + 5);
    } finally {
      clearInterval(sampler);
    }
  }, 20_000);
});
