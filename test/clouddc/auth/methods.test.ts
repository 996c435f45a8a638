import { describe, expect, it } from 'vitest';
import { AUTHENTICATORS } from '../../../src/clouddc/auth/methods.js';
import { AUTH_KINDS } from '../../../src/domain/auth.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';

describe('the wire half of the authentication methods', () => {
  it('has an authenticator for every method', () => {
    expect(Object.keys(AUTHENTICATORS).sort()).toEqual([...AUTH_KINDS].sort());
  });

  it.each(AUTH_KINDS)('feeds the self-metrics what %s reports', async (kind) => {
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false, requestTimeoutSeconds: 10 });
    metrics.auth.onAccount('acc', AUTHENTICATORS[kind].reports);
    const text = await metrics.registry.metrics();
    expect(text.includes('clouddc_iam_token_refreshes_total{account="acc"')).toBe(AUTHENTICATORS[kind].reports.iamTokens);
    expect(text.includes('clouddc_credential_renewals_total{account="acc"')).toBe(AUTHENTICATORS[kind].reports.temporaryKeys);
  });
});
