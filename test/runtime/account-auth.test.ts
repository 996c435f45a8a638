import { describe, expect, it } from 'vitest';
import { sharedAuthenticators } from '../../src/runtime/account-auth.js';
import { account } from '../support/config.js';
import { silentLogger } from '../support/factories.js';

describe('sharedAuthenticators', () => {
  it('gives the polls and automatic collection of one account the same authenticator, and a replaced account a new one', () => {
    const of = sharedAuthenticators({ logger: silentLogger });
    const main = account('http://127.0.0.1:1');
    const first = of(main, 1000);
    expect(of(main, 5000)).toBe(first);
    expect(of({ ...main }, 1000)).not.toBe(first);
    expect(of(account('http://127.0.0.1:1', { name: 'other' }), 1000)).not.toBe(first);
  });
});
