import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  test.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1s500ms', 1_500],
    ['2d3h4m5s6ms', 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000 + 6],
    ['90m', 5_400_000],
    ['0010s', 10_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([[''], ['10'], ['1.5s'], ['-1s'], ['+1s'], ['1 h'], [' 1h'], ['1H'], ['1s1h'], ['1h1h'], ['1ms1s'], ['h'], ['1sec'], ['1us'], ['99999999999999y']])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [1, '1ms'],
    [500, '500ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [90_061_001, '1d1h1m1s1ms'],
    [604_800_000, '1w'],
    [1_500.4, '1s500ms'],
    [-1_500, '-1s500ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test.each([0, 1, 999, 1_000, 61_001, 5_400_000, 86_400_000 * 400 + 7])('round-trips %d', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
