import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonLineToLogfmt } from '../../src/logging/logfmt.js';
import { holds, SEEDS } from '../properties/seeds.js';

const FILE = 'test/logging/logfmt.test.ts';

/** A logfmt reader as log pipelines have it (go-logfmt's grammar): bare words, or double-quoted with escapes. */
function parseLogfmt(line: string): Array<[string, string]> {
  expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), `one line: ${JSON.stringify(line)}`).toBe(true);
  const out: Array<[string, string]> = [];
  const re = /([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?: |\n$)/y;
  let end = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push([m[1]!, m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!]);
    end = re.lastIndex;
  }
  expect(end, `parsed to the end of ${JSON.stringify(line)}`).toBe(line.length);
  return out;
}

describe('jsonLineToLogfmt', () => {
  it('puts time, level and msg first, then the fields, quoting only what needs it', () => {
    const line = `${JSON.stringify({ level: 'warn', time: '2026-12-02T01:00:00.000Z', account: 'main', server_id: 'srv a', attempts: 2, ok: false, msg: 'poll failed: HTTP 500' })}\n`;
    expect(jsonLineToLogfmt(line)).toBe(
      'time=2026-12-02T01:00:00.000Z level=warn msg="poll failed: HTTP 500" account=main server_id="srv a" attempts=2 ok=false\n',
    );
  });

  it('flattens nested objects to dotted keys and keeps a stack trace on one line', () => {
    const line = JSON.stringify({
      level: 'error',
      time: 't',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.js:1:2)' },
      tags: ['a', 'b'],
      empty: {},
      msg: 'x',
    });
    expect(jsonLineToLogfmt(line)).toBe(
      'time=t level=error msg=x err.type=Error err.message=boom err.stack="Error: boom\\n    at x (y.js:1:2)" tags="[\\"a\\",\\"b\\"]" empty={}\n',
    );
  });

  it('quotes empty values and values with = or quotes; keys with spaces become bare words', () => {
    expect(jsonLineToLogfmt(JSON.stringify({ msg: '', 'a key': 'x=y', q: 'say "hi"', n: null }))).toBe('msg="" a_key="x=y" q="say \\"hi\\"" n=null\n');
  });

  it('passes through a line that is not a JSON object', () => {
    expect(jsonLineToLogfmt('not json\n')).toBe('not json\n');
    expect(jsonLineToLogfmt('[1,2]\n')).toBe('[1,2]\n');
  });

  it.each(SEEDS)('gives back every key and value to a logfmt reader (%s %i)', (_name, seed) => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((k) => !['time', 'level', 'msg'].includes(k));
    const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' ', '"', '\\', '=', 'a b', '\n', '\u2028', '<secret>', 'é'));
    holds(
      fc.property(value, fc.dictionary(key, value, { maxKeys: 5 }), (msg, fields) => {
        const entry = { level: 'info', time: '2026-12-02T01:00:00.000Z', ...fields, msg };
        // A lone surrogate cannot survive UTF-8 anyway; compare what JSON would carry.
        const pairs = parseLogfmt(jsonLineToLogfmt(`${JSON.stringify(entry)}\n`));
        expect(pairs).toEqual([['time', entry.time], ['level', 'info'], ['msg', msg], ...Object.entries(fields)]);
      }),
      seed,
      200,
      FILE,
    );
  });
});
