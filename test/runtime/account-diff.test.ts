import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { accountFingerprint } from '../../src/runtime/account-diff.js';
import { account } from '../support/config.js';

describe('accountFingerprint', () => {
  it('is equal for equal settings and differs when a secret, endpoint or limit changes', () => {
    const base = account('http://127.0.0.1:1');
    expect(accountFingerprint(base)).toBe(accountFingerprint(account('http://127.0.0.1:1')));
    const otherToken = { ...base, auth: { kind: 'token' as const, source: 'test', token: { kind: 'inline' as const, value: new Secret('other') } } };
    expect(accountFingerprint(otherToken)).not.toBe(accountFingerprint(base));
    expect(accountFingerprint(account('http://127.0.0.1:2'))).not.toBe(accountFingerprint(base));
    expect(accountFingerprint({ ...base, rateLimit: { requestsPerSecond: 1, burst: 1 } })).not.toBe(accountFingerprint(base));
  });

  it('never contains the secret itself', () => {
    expect(accountFingerprint(account('http://x'))).toMatch(/^[0-9a-f]{64}$/);
  });
});
