import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import type { SecretSource } from '../../src/domain/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { startExporter } from '../../src/runtime/start.js';
import { stopAfterTest } from '../support/cleanup.js';
import { account, config } from '../support/config.js';
import { AK, SK, endlessExport, logSink, replaceFile, sample, startWorld, type World } from '../support/auth-world.js';

/** A wrong secret key: the account must pause instead of retrying, and never trip the gateway's lock-out. */

const WRONG_SK = 'WrongSecretKey-0000000000000000000000000';
const MINUTE = 60_000;

async function setup(secretKey: (w: World) => Promise<SecretSource>) {
  const w = stopAfterTest(await startWorld());
  const sk = await secretKey(w);
  const targets = Array.from({ length: 6 }, (_, i) => endlessExport(w, 'ak', `srv-${i}`));
  const logs = logSink();
  const running = stopAfterTest(
    await startExporter({
      config: config([account(w.sim.url, { name: 'ak', auth: { kind: 'aksk', source: 'test', accessKey: AK, secretKey: sk } })], targets, {
        concurrency: 4,
        retries: 3,
      }),
      logger: createLogger('info', logs.stream),
      listen: { host: '127.0.0.1', port: 0 },
      now: w.clock.now,
      defaultMetrics: false,
    }),
  );
  await running.exporter.runner.idle();
  const metrics = () => running.exporter.metricsText();
  const paused = async () => sample(await metrics(), 'clouddc_api_account_paused', 'account="ak"');
  const pauseLogs = () => logs.lines().filter((l) => String(l['msg']).startsWith('CloudDC refused the AK/SK signature'));
  return { w, running, logs, metrics, paused, pauseLogs };
}

describe('a wrong secret key', () => {
  it('pauses the account: one request per pause, no retries, one warning per pause, no lock-out', async () => {
    const { w, running, logs, metrics, paused, pauseLogs } = await setup(async () => ({ kind: 'inline', value: new Secret(WRONG_SK) }));

    // Start-up: six exports, four at a time, yet only one signed request reached the gateway.
    expect(w.sim.requestCount).toBe(1);
    expect(await paused()).toBe(1);
    expect(pauseLogs()).toHaveLength(1);
    expect(pauseLogs()[0]).toMatchObject({ level: 'warn', account: 'ak', pauseSeconds: 330 });
    expect(logs.lines().filter((l) => String(l['msg']).startsWith('hint:'))).toHaveLength(1);

    // Polls during the pause fail fast without a request.
    w.clock.advance(5 * MINUTE);
    await running.exporter.pollOnce();
    expect(w.sim.requestCount).toBe(1);
    expect(await paused()).toBe(1);

    // The pause is over at 5m30s, even before the next poll.
    w.clock.advance(30_000);
    expect(await paused()).toBe(0);

    // Three simulated hours of polls every minute.
    const pauseStarts: number[] = [];
    let requests = w.sim.requestCount;
    for (let minute = 0; minute < 180; minute++) {
      await running.exporter.pollOnce();
      if (w.sim.requestCount > requests) pauseStarts.push(w.clock.now());
      requests = w.sim.requestCount;
      w.clock.advance(MINUTE);
    }
    // 5m30s, then 11m, 22m, 44m, 60m (the cap) between probes.
    expect(pauseStarts.map((t, i) => (i === 0 ? 0 : (t - pauseStarts[i - 1]!) / MINUTE))).toEqual([0, 11, 22, 44, 60]);
    expect(w.sim.requestCount).toBe(1 + pauseStarts.length);
    expect(pauseLogs()).toHaveLength(w.sim.requestCount);
    expect(w.gateway.failedSignatureChecks).toBe(w.sim.requestCount);
    expect(w.gateway.lockouts).toBe(0);
    expect(w.gateway.isLocked(AK, w.clock.now())).toBe(false);

    const text = await metrics();
    expect(sample(text, 'clouddc_api_requests_total', 'account="ak",code="401"')).toBe(w.sim.requestCount);
    expect(text).not.toMatch(/clouddc_api_retries_total\{/);
    expect(text).toMatch(/clouddc_log_export_api_errors_total\{[^}]*server_id="srv-0"[^}]*code="401"\} [1-9]/);
  });

  it('resumes as soon as the secret key file is fixed, and the metric drops to 0', async () => {
    const { w, running, paused } = await setup(async (world) => {
      const path = join(world.dir, 'sk');
      await fs.writeFile(path, `${WRONG_SK}\n`);
      return { kind: 'file', path };
    });
    const file = join(w.dir, 'sk');
    expect(await paused()).toBe(1);
    await replaceFile(file, `${SK}\n`);
    w.clock.advance(MINUTE);
    await running.exporter.pollOnce();
    expect(await paused()).toBe(0);
    for (const state of running.exporter.store.states()) expect(state.lastPollOk).toBe(true);
    expect(w.sim.requestCount).toBe(1 + 6);
  });
});
