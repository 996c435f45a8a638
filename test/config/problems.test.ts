import { describe, expect, test } from 'vitest';
import { editDistance, formatPath, formatProblem, suggestKey, unknownKeyMessage } from '../../src/config/problems.js';

describe('formatPath', () => {
  test.each([
    [[], ''],
    [['poll'], 'poll'],
    [['exports', 2, 'labels', 'ticket'], 'exports[2].labels.ticket'],
    [['accounts', 'main', 'auth'], 'accounts.main.auth'],
    [['accounts', 'prod-1', 'region'], 'accounts.prod-1.region'],
    [['accounts', 'eu.prod', 'auth'], 'accounts["eu.prod"].auth'],
    [['accounts', 'a b'], 'accounts["a b"]'],
    [['accounts', 'line\nbreak'], 'accounts["line\\nbreak"]'],
    [['exports', 0], 'exports[0]'],
  ])('%j is %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });

  test('the root is named after the source, and a message stays on one line', () => {
    expect(formatProblem({ path: [], message: 'the file is empty' }, 'config.yaml')).toBe('config.yaml: the file is empty');
    expect(formatProblem({ path: ['poll'], message: 'a\n  b' }, 'x')).toBe('poll: a b');
  });
});

describe('suggestKey', () => {
  const poll = ['schedule', 'concurrency', 'timeout', 'retries', 'backoff_initial', 'backoff_max'];
  test.each([
    ['concurency', poll, 'concurrency'],
    ['concurrancy', poll, 'concurrency'],
    ['timout', poll, 'timeout'],
    ['retires', poll, 'retries'],
    ['backoffInitial', poll, 'backoff_initial'],
    ['backoff-max', poll, 'backoff_max'],
    ['Schedule', poll, 'schedule'],
    ['colour', poll, undefined],
    ['x', poll, undefined],
    ['tokne', ['token', 'token_file', 'access_key'], 'token'],
    ['name', ['region', 'endpoint', 'project_id', 'auth'], undefined],
    ['labls', ['server_id', 'export_id', 'account', 'project_id', 'name', 'labels'], 'labels'],
  ])('%s among %j suggests %s', (key, known, expected) => {
    expect(suggestKey(key, known)).toBe(expected);
  });

  test('messages', () => {
    expect(unknownKeyMessage('concurency', poll)).toBe('unknown key (did you mean "concurrency"?)');
    expect(unknownKeyMessage('colour', poll)).toBe('unknown key');
  });

  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['tokne', 'token', 1],
    ['ab', 'ba', 1],
  ])('editDistance(%j, %j) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});
