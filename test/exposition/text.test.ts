import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, renderLabels, writeSecondsSince } from '../../src/exposition/text.js';

/** What the exposition printed for ages before writeSecondsSince existed. */
function viaString(now: number, since: number): string {
  return formatValue(Math.max(0, Math.round((now - since) * 1000) / 1000));
}

function written(now: number, since: number): string {
  const buf = Buffer.alloc(64);
  return buf.toString('latin1', 0, writeSecondsSince(buf, 0, now, since));
}

describe('exposition text helpers', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('escapes label value %j', (input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });

  it('renders label sets', () => {
    expect(renderLabels([])).toBe('');
    const base = renderLabels([
      ['a', '1'],
      ['b', 'x"y'],
    ]);
    expect(base).toBe('{a="1",b="x\\"y"}');
  });

  it.each([
    [1, '1'],
    [0.5, '0.5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1750000000.123, '1750000000.123'],
  ])('formats %s', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });

  it('writes seconds-since exactly as formatValue prints the rounded number', () => {
    for (const [now, since] of [
      [1500, 1000],
      [1600.25, 1000],
      [1000, 1500],
      [1000.0004, 1000],
      [1000.0005, 1000],
      [1e9 + 0.1, 1e9],
      [1e13, 0],
      [Number.MAX_VALUE, 0],
      [5, NaN],
      [Infinity, 0],
      [1_790_000_000.987, 1_789_990_000],
    ] as const) {
      expect(written(now, since)).toBe(viaString(now, since));
    }
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.double({ noNaN: false }), (now, since) => {
        expect(written(now, since)).toBe(viaString(now, since));
      }),
      { seed: 20261127, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 999_999 }), fc.nat({ max: 10_000_000 }), (s, frac, age) => {
        const since = s + frac / 1e6;
        expect(written(since + age + frac / 7e5, since)).toBe(viaString(since + age + frac / 7e5, since));
      }),
      { seed: 20261127, numRuns: 2000 },
    );
  });
});
