import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, renderLabels, withLabel } from '../../src/metrics/text.js';

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

  it('renders label sets and adds labels to them', () => {
    expect(renderLabels([])).toBe('');
    const base = renderLabels([
      ['a', '1'],
      ['b', 'x"y'],
    ]);
    expect(base).toBe('{a="1",b="x\\"y"}');
    expect(withLabel(base, 'c', '3')).toBe('{a="1",b="x\\"y",c="3"}');
    expect(withLabel('', 'c', '3')).toBe('{c="3"}');
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
});
