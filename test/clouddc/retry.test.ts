import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryableReason, longestBackoffChainMs, parseRetryAfter } from '../../src/clouddc/retry.js';

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt and caps it', () => {
    const top = () => 0.999999;
    expect(backoffDelayMs(0, 500, 10_000, top)).toBe(499);
    expect(backoffDelayMs(1, 500, 10_000, top)).toBe(999);
    expect(backoffDelayMs(2, 500, 10_000, top)).toBe(1999);
    expect(backoffDelayMs(10, 500, 10_000, top)).toBe(9999);
    expect(backoffDelayMs(5000, 500, 10_000, top)).toBe(9999);
  });

  it('is full jitter: random 0 gives 0, random 0.5 gives half the ceiling', () => {
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(400);
  });

  it('stays within [0, min(max, initial * 2^attempt)] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 2000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN), fc.constant(2)),
        (attempt, initial, max, r) => {
          const d = backoffDelayMs(attempt, initial, max, () => r);
          const ceiling = initial === 0 ? 0 : Math.min(max, initial * 2 ** Math.max(0, attempt));
          return Number.isInteger(d) && d >= 0 && d <= ceiling;
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-20T02:48:06Z');

  it.each([
    ['delta seconds', '3', 3000],
    ['zero', '0', 0],
    ['padded', ' 12 ', 12_000],
    ['fractional seconds', '1.5', 1500],
    ['negative', '-4', 0],
    ['IMF-fixdate in the future', 'Thu, 20 Mar 2025 02:48:16 GMT', 10_000],
    ['IMF-fixdate in the past', 'Thu, 20 Mar 2025 02:00:00 GMT', 0],
    ['RFC 850 date', 'Thursday, 20-Mar-25 02:48:09 GMT', 3000],
    ['asctime date', 'Thu Mar 20 02:48:11 2025', 5000],
  ])('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'soon'],
    ['date-like garbage', 'foo 12'],
    ['ISO date', '2025-03-20T02:48:16Z'],
  ])('%s gives undefined', (_name, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
});

describe('isRetryableReason', () => {
  it.each(['429', '500', '502', '503', '504', '599', 'timeout', 'network'])('%s is retried', (r) => {
    expect(isRetryableReason(r)).toBe(true);
  });
  it.each(['400', '401', '403', '404', '409', '499', 'invalid_response', '301', '200', ''])('%s is not', (r) => {
    expect(isRetryableReason(r)).toBe(false);
  });
});

describe('longestBackoffChainMs', () => {
  it('sums the backoff ceilings of every retry, each capped at the maximum', () => {
    expect(longestBackoffChainMs(2, 500, 30_000)).toBe(1500);
    expect(longestBackoffChainMs(4, 500, 1500)).toBe(500 + 1000 + 1500 + 1500);
    expect(longestBackoffChainMs(0, 500, 30_000)).toBe(0);
  });
});
