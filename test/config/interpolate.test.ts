import { describe, expect, test } from 'vitest';
import { interpolateString, interpolateTree } from '../../src/config/interpolate.js';

const env = { TOKEN: 's3cr3t', EMPTY: '', NESTED: '${TOKEN}', A: 'a', B: 'b' };

describe('interpolateString', () => {
  test.each([
    ['plain', 'plain'],
    ['${TOKEN}', 's3cr3t'],
    ['Bearer ${TOKEN}!', 'Bearer s3cr3t!'],
    ['${A}${B}', 'ab'],
    ['${EMPTY}', ''],
    ['$$', '$'],
    ['$${TOKEN}', '${TOKEN}'],
    ['$$$${TOKEN}', '$${TOKEN}'],
    ['$$${TOKEN}', '$s3cr3t'],
    ['pa$word', 'pa$word'],
    ['$', '$'],
    ['cost: 5$', 'cost: 5$'],
    ['$TOKEN', '$TOKEN'],
    ['${NESTED}', '${TOKEN}'],
    ['{TOKEN}', '{TOKEN}'],
  ])('%j becomes %j', (input, output) => {
    expect(interpolateString(input, env)).toEqual({ ok: true, value: output });
  });

  test.each([
    ['${MISSING}', ['environment variable MISSING is not set']],
    ['${MISSING}-${MISSING}-${OTHER}', ['environment variable MISSING is not set', 'environment variable OTHER is not set']],
    ['ab${', ['unterminated "${" at character 3 (write "$$" for a literal "$")']],
    ['${TOKEN', ['unterminated "${" at character 1 (write "$$" for a literal "$")']],
    ['${}', ['invalid variable reference at character 1: expected ${NAME} with NAME made of letters, digits and _ (write "$$" for a literal "$")']],
    ['x${1ABC}', ['invalid variable reference at character 2: expected ${NAME} with NAME made of letters, digits and _ (write "$$" for a literal "$")']],
    [
      '${TOKEN:-default}',
      ['invalid variable reference at character 1: expected ${NAME} with NAME made of letters, digits and _ (write "$$" for a literal "$")'],
    ],
  ])('%j fails with %j', (input, messages) => {
    expect(interpolateString(input, env)).toEqual({ ok: false, problems: messages });
  });

  test('messages never contain the surrounding text or any variable value', () => {
    const r = interpolateString('hunter2-${bad name}-${MISSING}-${TOKEN}', env);
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('bad name');
  });
});

describe('interpolateTree', () => {
  test('replaces every string scalar, leaves keys and other scalars alone, and does not mutate', () => {
    const tree = { '${A}': ['${A}', 1, true, { deep: 'x${B}y' }], n: 2 };
    const snapshot = structuredClone(tree);
    const r = interpolateTree(tree, env);
    expect(r).toEqual({ value: { '${A}': ['a', 1, true, { deep: 'xby' }], n: 2 }, problems: [], failed: [] });
    expect(tree).toEqual(snapshot);
  });

  test('reports problems with the path of the value', () => {
    const r = interpolateTree({ accounts: { main: { auth: { token: '${CLOUDDC_TOKEN}' } } }, exports: [{}, { name: '${X' }] }, env);
    expect(r.problems).toEqual([
      { path: ['accounts', 'main', 'auth', 'token'], message: 'environment variable CLOUDDC_TOKEN is not set' },
      { path: ['exports', 1, 'name'], message: 'unterminated "${" at character 1 (write "$$" for a literal "$")' },
    ]);
    expect(r.failed).toEqual([
      ['accounts', 'main', 'auth', 'token'],
      ['exports', 1, 'name'],
    ]);
  });

  test('a __proto__ key stays data', () => {
    const tree = JSON.parse('{"__proto__": {"polluted": "${A}"}}') as unknown;
    const r = interpolateTree(tree, env);
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
