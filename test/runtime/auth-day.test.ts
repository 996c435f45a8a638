import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { startExporter } from '../../src/runtime/start.js';
import { stopAfterTest } from '../support/cleanup.js';
import { config } from '../support/config.js';
import {
  AK,
  SECURITY_TOKEN,
  SK,
  akskAccount,
  endlessExport,
  fetchIamToken,
  logSink,
  passwordAccount,
  replaceFile,
  sample,
  startWorld,
  tokenAccount,
} from '../support/auth-world.js';

/**
 * The acceptance run: one simulated day, tokens living 3 minutes, a poll every minute, for each sign-in method.
 * Time is a fake clock shared by the exporter, IAM and the gateway; nothing sleeps.
 */

const DAY_MS = 24 * 3_600_000;
const STEP_MS = 60_000;
const LIFETIME_MS = 180_000;
const REFRESH_BEFORE_MS = 60_000;

describe('a simulated day with 3-minute tokens', () => {
  it('polls every cycle successfully with token_file, AK/SK and password, and renews IAM tokens in time', async () => {
    // AK/SK with temporary credentials: the gateway then insists on a signed X-Security-Token.
    const w = stopAfterTest(
      await startWorld({
        tokenLifetimeMs: LIFETIME_MS,
        gateway: { credentials: [{ accessKey: AK, secretKey: SK, securityToken: SECURITY_TOKEN }] },
      }),
    );
    const tokenFile = join(w.dir, 'token');
    await replaceFile(tokenFile, `${await fetchIamToken(w.iam)}\n`);

    const targets = [endlessExport(w, 'tok'), endlessExport(w, 'ak'), endlessExport(w, 'pw')];
    const logs = logSink();
    const running = stopAfterTest(
      await startExporter({
        config: config([tokenAccount(w, 'tok', tokenFile), akskAccount(w, 'ak', SK, SECURITY_TOKEN), passwordAccount(w, 'pw', REFRESH_BEFORE_MS)], targets, {
          timeoutMs: 2000,
        }),
        logger: createLogger('warn', logs.stream),
        listen: { host: '127.0.0.1', port: 0 },
        now: w.clock.now,
        defaultMetrics: false,
      }),
    );
    const exporter = running.exporter;
    await exporter.runner.idle();

    let sidecarRefreshes = 0;
    let lastSidecar = w.clock.now();
    const started = w.clock.now();
    while (w.clock.now() - started < DAY_MS) {
      await exporter.pollOnce();
      w.clock.advance(STEP_MS);
      // The token_file method relies on something else renewing the file, as refresh_before would.
      if (w.clock.now() - lastSidecar >= LIFETIME_MS - REFRESH_BEFORE_MS) {
        await replaceFile(tokenFile, `${await fetchIamToken(w.iam)}\n`);
        lastSidecar = w.clock.now();
        sidecarRefreshes++;
      }
    }

    // A background renewal may still be on the wire; wait until IAM's count and the exporter's agree.
    const refreshCount = async () => sample(await exporter.metricsText(), 'clouddc_iam_token_refreshes_total', 'account="pw",result="success"');
    for (let i = 0; i < 200 && (await refreshCount()) !== w.iam.requestCount - 1 - sidecarRefreshes; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const text = await exporter.metricsText();
    const cycles = sample(text, 'clouddc_exporter_poll_cycles_total', '')!;
    for (const account of ['tok', 'ak', 'pw']) {
      expect(sample(text, 'clouddc_api_requests_total', `account="${account}",code="200"`)).toBe(cycles);
      expect(text).not.toMatch(new RegExp(`clouddc_api_requests_total\\{account="${account}",code="(?!200)`));
      expect(text).not.toMatch(new RegExp(`clouddc_log_export_api_errors_total\\{[^}]*account="${account}"[^}]*\\} [1-9]`));
    }
    for (const state of exporter.store.states()) expect(state.lastPollOk).toBe(true);
    expect(logs.lines().filter((l) => l['level'] === 'warn' || l['level'] === 'error')).toEqual([]);

    const iamByExporter = w.iam.requestCount - 1 - sidecarRefreshes;
    const refreshes = sample(text, 'clouddc_iam_token_refreshes_total', 'account="pw",result="success"')!;
    expect(sample(text, 'clouddc_iam_token_refreshes_total', 'account="pw",result="failure"')).toBe(0);
    // Renewed once per lifetime minus refresh_before (2 minutes, on the first poll after it), never per poll.
    expect(refreshes).toBeGreaterThanOrEqual(DAY_MS / 180_000);
    expect(refreshes).toBeLessThanOrEqual(DAY_MS / 120_000 + 1);
    expect(iamByExporter).toBe(refreshes);
    expect(sample(text, 'clouddc_iam_token_expiry_timestamp_seconds', 'account="pw"')).toBeGreaterThan(w.clock.now() / 1000);
    expect(w.gateway.failedSignatureChecks).toBe(0);
    console.log(`simulated day: ${cycles} cycles per account, ${refreshes} IAM token requests by the exporter`);
  }, 120_000);
});
