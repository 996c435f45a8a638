import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { MAIN } from '../support/cli.js';
import { holds, SEEDS } from './seeds.js';

/**
 * Any YAML document is either a valid configuration or a list of `path: message` problems: never a throw,
 * never a stack trace, never a multi-line problem.
 */

const FILE = 'test/properties/config.test.ts';

/** Tokens that YAML and this config give meaning to, so random text often parses into something near a config. */
const TOKENS = [
  'poll',
  'accounts',
  'exports',
  'retention',
  'main',
  'schedule',
  'concurrency',
  'timeout',
  'retries',
  'spread',
  'endpoint',
  'region',
  'project_id',
  'auth',
  'token',
  'token_file',
  'access_key',
  'secret_key',
  'rate_limit',
  'server_id',
  'export_id',
  'name',
  'labels',
  'account',
  'completed',
  'not_found',
  'backoff_max',
  ':',
  ': ',
  '- ',
  '-',
  '\n',
  '\n  ',
  '\n    ',
  '  ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!!str ',
  '!!int ',
  '!!float ',
  '!!map ',
  '!!set ',
  '!!omap ',
  '!custom ',
  '? ',
  '"',
  "'",
  '|',
  '>',
  '#',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  '${CLOUDDC_TOKEN}',
  '${UNSET_VAR}',
  '$$',
  '${',
  '~',
  'null',
  'true',
  'no',
  '0x1F',
  '1e309',
  '-0',
  '.nan',
  '5s',
  '1h30m',
  '500ms',
  '* * * * * *',
  '*/5 * * * * *',
  'http://127.0.0.1:9',
  'https://',
  'cn-east-3',
  '\t',
  '\r\n',
  '\u0000',
  '\u2028',
  '\ufeff',
  '😀',
  '\\u0000',
  '"\\ud800"',
  '__proto__',
  'constructor',
  'toString',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60, size: 'max' }).map((t) => t.join(''));

const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('5s', '0s', '-1s', '99999999d', '* * * * * *', 'nope', '', '${CLOUDDC_TOKEN}', '${UNSET}', 'http://127.0.0.1:1'),
);

/** Objects shaped like a config, with every value open to anything. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...TOKENS.filter((t) => /^[a-z_]+$/.test(t))), fc.string({ maxLength: 8 })), tie('value'), {
    maxKeys: 5,
  }),
}));

const VALID = {
  poll: { schedule: '*/30 * * * * *', concurrency: 4, timeout: '10s', retries: 2 },
  accounts: { main: { region: 'cn-east-3', project_id: 'p1', auth: { token: '${CLOUDDC_TOKEN}' } } },
  exports: [{ server_id: 's1', export_id: '1', name: 'n', labels: { team: 'a' } }],
};

/** The valid config with one value somewhere replaced by anything. */
const PATHS: Array<Array<string | number>> = [
  ['poll'],
  ['poll', 'schedule'],
  ['poll', 'concurrency'],
  ['poll', 'timeout'],
  ['accounts'],
  ['accounts', 'main'],
  ['accounts', 'main', 'auth'],
  ['accounts', 'main', 'region'],
  ['exports'],
  ['exports', 0],
  ['exports', 0, 'server_id'],
  ['exports', 0, 'export_id'],
  ['exports', 0, 'labels'],
  ['exports', 0, 'name'],
  ['retention'],
];
const mutated = fc.tuple(fc.constantFrom(...PATHS), tree.value).map(([path, v]) => {
  const doc = structuredClone(VALID) as Record<string, any>;
  let at = doc;
  for (const seg of path.slice(0, -1)) at = at[seg as string];
  at[path.at(-1) as string] = v;
  return stringify(doc);
});

const anyYaml = fc.oneof(
  tokenSoup,
  fc.string({ unit: 'binary', maxLength: 200 }),
  tree.object.map((o) => stringify(o)),
  mutated,
  fc.constant(stringify(VALID)),
);

const STACK_LINE = /^\s+at .*(:\d+:\d+\)?|native)$|\.(ts|js):\d+/m;

function checkProblems(problems: readonly string[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p).not.toContain('\n');
    expect(p).toMatch(/^\S[^\n]*?: \S/);
    expect(p).not.toMatch(STACK_LINE);
    expect(p).not.toMatch(/TypeError|RangeError|ReferenceError|SyntaxError: Unexpected|undefined is not|Cannot read properties/);
  }
}

describe('any YAML document', () => {
  it.each(SEEDS)('is a config or path: message problems, never a throw (%s %i)', (_name, seed) => {
    const seen = { valid: 0, invalid: 0 };
    holds(
      fc.property(anyYaml, (text) => {
        const r = parseConfig(text, { env: { CLOUDDC_TOKEN: 't0k3n' }, baseDir: tmpdir() });
        seen[r.ok ? 'valid' : 'invalid']++;
        if (r.ok) {
          expect(r.value.accounts.size).toBeGreaterThan(0);
          for (const e of r.value.exports) expect(r.value.accounts.has(e.account)).toBe(true);
        } else {
          checkProblems(r.problems);
        }
      }),
      seed,
      400,
      FILE,
    );
    // Both outcomes were exercised, not only syntax errors.
    expect(seen.valid).toBeGreaterThan(10);
    expect(seen.invalid).toBeGreaterThan(100);
  });

  it('--config.check on generated files: exit 0 or 1, path: message lines, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cde-prop-config-'));
    const docs = [...fc.sample(anyYaml, { seed: SEEDS[0]![1], numRuns: 3 }), ...fc.sample(anyYaml, { seed: SEEDS[1]![1], numRuns: 3 })];
    for (const [i, text] of docs.entries()) {
      const file = join(dir, `c${i}.yaml`);
      writeFileSync(file, text);
      const r = spawnSync(process.execPath, [MAIN, '--config.check', `--config.file=${file}`], {
        env: { PATH: process.env.PATH, CLOUDDC_TOKEN: 't0k3n' },
        encoding: 'utf8',
        timeout: 15_000,
      });
      const context = `seeds ${SEEDS.map((s) => s[1]).join(', ')}, document:\n${text}\nstderr:\n${r.stderr}`;
      expect([0, 1], context).toContain(r.status);
      if (r.status === 1) {
        const [head, ...lines] = r.stderr.trimEnd().split('\n');
        expect(head, context).toBe(`${file}: invalid configuration`);
        checkProblems(lines);
      }
      expect(r.stderr + r.stdout, context).not.toMatch(STACK_LINE);
    }
    // Six child processes, each starting Node: the default 20 s is too tight on a loaded 2-core machine.
  }, 90_000);
});
