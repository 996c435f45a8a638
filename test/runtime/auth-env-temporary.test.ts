import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging/logger.js';
import { startExporter } from '../../src/runtime/start.js';
import { stopAfterTest } from '../support/cleanup.js';
import { account, config } from '../support/config.js';
import { AK, PROJECT, SECURITY_TOKEN, SK, endlessExport, logSink, sample, startWorld } from '../support/auth-world.js';

/**
 * Temporary AK/SK handed over the way the SDKs take them (HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN): the gateway
 * insists on the signed X-Security-Token, and without it the account would be paused as if the key were wrong.
 */
describe('temporary AK/SK from the environment', () => {
  it('sends and signs HUAWEICLOUD_SDK_SECURITY_TOKEN: every poll succeeds and the account is never paused', async () => {
    const w = stopAfterTest(await startWorld({ gateway: { credentials: [{ accessKey: AK, secretKey: SK, securityToken: SECURITY_TOKEN }] } }));
    const env = { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: SECURITY_TOKEN };
    const parsed = parseConfig(`accounts:\n  tmp: {region: cn-east-3, project_id: ${PROJECT}}\n`, { env, baseDir: '/' });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const auth = parsed.value.accounts.get('tmp')?.auth;
    expect(auth?.source).toBe('environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN');

    const logs = logSink();
    const running = stopAfterTest(
      await startExporter({
        config: config([account(w.sim.url, { name: 'tmp', ...(auth && { auth }) })], [endlessExport(w, 'tmp')]),
        logger: createLogger('info', logs.stream),
        listen: { host: '127.0.0.1', port: 0 },
        now: w.clock.now,
        defaultMetrics: false,
      }),
    );
    await running.exporter.runner.idle();
    for (let i = 0; i < 5; i++) {
      w.clock.advance(60_000);
      await running.exporter.pollOnce();
    }
    const text = await running.exporter.metricsText();
    expect(sample(text, 'clouddc_api_requests_total', 'code="200"')).toBe(6);
    expect(sample(text, 'clouddc_api_requests_total', 'code="401"')).toBeUndefined();
    expect(sample(text, 'clouddc_api_account_paused', 'account="tmp"')).toBe(0);
    expect(w.gateway.failedSignatureChecks).toBe(0);
    expect(logs.text()).not.toContain(SECURITY_TOKEN);
  });
});
