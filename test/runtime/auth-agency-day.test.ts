import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging/logger.js';
import { startExporter } from '../../src/runtime/start.js';
import { stopAfterTest } from '../support/cleanup.js';
import { config } from '../support/config.js';
import { ID_TOKEN, IDP, POD_TOKEN, startAgencyWorld } from '../support/agency-world.js';
import { PROJECT, endlessExport, logSink, replaceFile, sample } from '../support/auth-world.js';

/**
 * The "done when": an exporter with no long-lived secret at all (instance metadata, pod identity, OIDC
 * federation) polls for hours through several renewals of 1-hour temporary keys with zero failed polls. The
 * exporter, the credential services and the gateway share one fake clock; nothing sleeps.
 */

const HOURS = 6;
const STEP_MS = 2 * 60_000;
const LIFETIME_MS = 3_600_000;
const ACCOUNTS = ['meta', 'pod', 'oidc'] as const;

describe('a workload without a long-lived secret', () => {
  it('polls every 2 minutes for 6 hours with metadata, pod identity and OIDC keys living 1 hour: zero failed polls', async () => {
    const w = stopAfterTest(await startAgencyWorld({ lifetimeMs: LIFETIME_MS }));
    const idTokenFile = join(w.dir, 'oidc-token');
    const podTokenFile = join(w.dir, 'pod-token');
    await replaceFile(idTokenFile, `${ID_TOKEN}\n`);
    await replaceFile(podTokenFile, POD_TOKEN);
    const env = { HC_CONTAINER_CREDENTIALS_FULL_URI: w.agency.podIdentityUrl, HC_CONTAINER_AUTHORIZATION_TOKEN_FILE: podTokenFile };
    const at = `endpoint: "${w.sim.url}", project_id: ${PROJECT}`;
    const yaml = [
      'accounts:',
      `  meta: {${at}, auth: {instance_metadata: true, metadata_endpoint: "${w.agency.url}"}}`,
      `  pod: {${at}, auth: {pod_identity: true}}`,
      `  oidc: {${at}, auth: {idp_id: ${IDP}, id_token_file: ${idTokenFile}, iam_endpoint: "${w.iam.endpoint}", duration: 1h}}`,
      '',
    ].join('\n');
    const parsed = parseConfig(yaml, { env, baseDir: w.dir });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const accounts = [...parsed.value.accounts.values()];
    expect(accounts.map((a) => a.auth.kind)).toEqual(['metadata', 'pod_identity', 'oidc']);

    const logs = logSink();
    const running = stopAfterTest(
      await startExporter({
        config: config(
          accounts,
          ACCOUNTS.map((a) => endlessExport(w, a)),
          { timeoutMs: 2000 },
        ),
        logger: createLogger('info', logs.stream),
        listen: { host: '127.0.0.1', port: 0 },
        now: w.clock.now,
        defaultMetrics: false,
      }),
    );
    const exporter = running.exporter;
    await exporter.runner.idle();

    const started = w.clock.now();
    let rotated = false;
    while (w.clock.now() - started < HOURS * 3_600_000) {
      w.clock.advance(STEP_MS);
      // Half-way, the projected tokens rotate: the old ones stop working, so only a re-read file keeps renewing.
      if (!rotated && w.clock.now() - started >= (HOURS / 2) * 3_600_000) {
        rotated = true;
        await replaceFile(idTokenFile, `${ID_TOKEN}-rotated\n`);
        w.iam.setIdTokens(IDP, [`${ID_TOKEN}-rotated`]);
        await replaceFile(podTokenFile, `${POD_TOKEN}-rotated`);
        w.agency.setPodIdentityTokens([`${POD_TOKEN}-rotated`]);
      }
      await exporter.pollOnce();
    }

    // A background renewal may still be on the wire: wait (real time, bounded) until the services and the exporter agree.
    const issuedBy = (source: string) => w.keys.issued.filter((k) => k.source === source).length;
    const renewals = async (account: string, result: string) =>
      sample(await exporter.metricsText(), 'clouddc_credential_renewals_total', `account="${account}",result="${result}"`);
    const agree = async () =>
      (await renewals('meta', 'success')) === issuedBy('metadata') &&
      (await renewals('pod', 'success')) === issuedBy('pod-identity') &&
      (await renewals('oidc', 'success')) === issuedBy('iam');
    for (let i = 0; i < 300 && !(await agree()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await agree()).toBe(true);

    const text = await exporter.metricsText();
    const cycles = sample(text, 'clouddc_exporter_poll_cycles_total', '')!;
    expect(cycles).toBe((HOURS * 3_600_000) / STEP_MS + 1);
    for (const account of ACCOUNTS) {
      // Every poll answered 200 on the first attempt: no 401, no retry, no failed poll.
      expect(sample(text, 'clouddc_api_requests_total', `account="${account}",code="200"`), account).toBe(cycles);
      expect(
        text.split('\n').filter((l) => l.startsWith(`clouddc_api_requests_total{account="${account}"`)),
        account,
      ).toHaveLength(1);
      expect(sample(text, 'clouddc_log_export_api_errors_total', `server_id="srv-${account}",export_id="1",code="401"`), account).toBe(0);
      expect(await renewals(account, 'failure'), account).toBe(0);
      // 1-hour keys renewed 12 minutes ahead: one per 48 minutes, so at least 7 in 6 hours.
      expect(await renewals(account, 'success'), account).toBeGreaterThanOrEqual(7);
      expect(sample(text, 'clouddc_api_account_paused', `account="${account}"`), account).toBe(0);
    }
    // Renewed in the background, well ahead: each key was issued while the one before had 10% of its life left or more.
    for (const source of ['metadata', 'pod-identity', 'iam']) {
      const keys = w.keys.issued.filter((k) => k.source === source);
      for (let i = 1; i < keys.length; i++) expect(keys[i]!.issuedAt, source).toBeLessThanOrEqual(keys[i - 1]!.expiresAt - LIFETIME_MS / 10);
    }
    expect(w.gateway.failedSignatureChecks).toBe(0);
    // The metadata handshake: a session token first, then every key asked with it.
    expect(w.agency.served['metadata-token']).toBeGreaterThanOrEqual(1);
    expect(w.agency.requests.filter((r) => r.op === 'metadata-key').every((r) => typeof r.headers['x-metadata-token'] === 'string')).toBe(true);

    // Nothing temporary, and no token, ever reaches a log line.
    const logged = logs.text();
    for (const k of w.keys.issued) {
      expect(logged).not.toContain(k.secretKey);
      expect(logged).not.toContain(k.securityToken);
    }
    for (const secret of [ID_TOKEN, POD_TOKEN]) expect(logged).not.toContain(secret);
    expect(logged).toContain('account meta signs in with instance metadata at');
  }, 120_000);
});
