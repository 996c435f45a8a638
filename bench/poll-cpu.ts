import { Pool } from 'undici';
import { authenticatorFor } from '../src/clouddc/auth/methods.js';
import { createAccountClient } from '../src/clouddc/client.js';
import { showLogsExportStatusUrl } from '../src/clouddc/url.js';
import { exportKeyId, type ExportTarget } from '../src/domain/export.js';
import { createSelfMetrics } from '../src/metrics/self-metrics.js';
import { Exposition } from '../src/exposition/exposition.js';
import { ExportStore } from '../src/store/export-store.js';
import { USER_AGENT, VERSION } from '../src/version.js';
import { benchAccount, benchPoll, BENCH_TOKEN, gc, silentLogger } from './fixtures.js';
import { times, us, type Row } from './report.js';
import { median } from './stats.js';

const TARGET_RATIO = 1.5;

export interface PollCpuOptions {
  readonly polls: number;
  readonly rounds: number;
  readonly concurrency: number;
}

/** Runs `one` over `items` with `concurrency` workers; returns user+system CPU µs per item. */
async function cpuPerItem<T>(items: readonly T[], concurrency: number, one: (item: T) => Promise<void>): Promise<number> {
  gc();
  let next = 0;
  const worker = async () => {
    while (next < items.length) await one(items[next++]!);
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / items.length;
}

/**
 * Figure 2: CPU per poll through the real client and the store (request, parse, state update,
 * re-render) against a bare undici GET + JSON.parse of the same URLs, same concurrency.
 */
export async function benchPollCpu(simUrl: string, targets: readonly ExportTarget[], opts: PollCpuOptions): Promise<Row[]> {
  const account = benchAccount(simUrl);
  const poll = benchPoll({ concurrency: opts.concurrency });
  const metrics = createSelfMetrics({ version: VERSION, defaultMetrics: false, requestTimeoutSeconds: poll.timeoutMs / 1000 });
  const client = createAccountClient({
    account,
    poll,
    userAgent: USER_AGENT,
    authenticator: authenticatorFor(account, { logger: silentLogger }),
    observer: metrics.api,
    logger: silentLogger,
  });
  // With the exposition listening, as in the exporter: a poll's cost includes re-rendering its lines.
  const store = new ExportStore(new Exposition());
  store.sync(targets);
  const pool = new Pool(new URL(simUrl).origin, { connections: opts.concurrency, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const paths = new Map(targets.map((t) => [t, showLogsExportStatusUrl(simUrl, t)!.pathname]));
  let failures = 0;

  const viaExporter = async (t: ExportTarget) => {
    const result = await client.fetchStatus(t);
    if (!result.ok) failures++;
    store.apply(exportKeyId(t), result, Date.now() / 1000);
  };
  const bare = async (t: ExportTarget) => {
    const res = await pool.request({ path: paths.get(t)!, method: 'GET', headers: { 'x-auth-token': BENCH_TOKEN } });
    const body: unknown = JSON.parse(await res.body.text());
    if (res.statusCode !== 200 || typeof body !== 'object') failures++;
  };

  const ours: number[] = [];
  const base: number[] = [];
  try {
    // Round 0 warms up both paths (JIT, sockets) and is not counted.
    for (let round = 0; round <= opts.rounds; round++) {
      const start = (round * opts.polls) % targets.length;
      const slice = Array.from({ length: opts.polls }, (_, i) => targets[(start + i) % targets.length]!);
      const b = await cpuPerItem(slice, opts.concurrency, bare);
      const o = await cpuPerItem(slice, opts.concurrency, viaExporter);
      if (round > 0) {
        base.push(b);
        ours.push(o);
      }
    }
    if (failures > 0) throw new Error(`${failures} polls failed during the CPU bench`);
  } finally {
    await client.close();
    await pool.close();
  }
  const o = median(ours);
  const b = median(base);
  return [
    {
      figure: `2. CPU per poll (concurrency ${opts.concurrency})`,
      median: us(o),
      baseline: `${us(b)} bare undici`,
      ratio: times(o / b),
      target: `≤ ${TARGET_RATIO}× baseline`,
      pass: o / b <= TARGET_RATIO,
    },
  ];
}
