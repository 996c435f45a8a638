import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPollResult, initialState, retire } from '../../src/domain/export-state.js';
import { parseStateFile, restoreFacts, snapshot, writeFileAtomic } from '../../src/store/state-file.js';
import { failure, success, target } from '../support/factories.js';

describe('state file', () => {
  it('round-trips the facts a restart would forget', () => {
    const a = applyPollResult(initialState(target({ exportId: '1' })), success({ percentage: 40 }), 100);
    const b = retire(applyPollResult(initialState(target({ exportId: '2' })), success({ status: 'completed', percentage: 100 }), 200), 'completed', 300);
    const c = applyPollResult(initialState(target({ exportId: '3' })), failure('404'), 400);
    const untouched = initialState(target({ exportId: '4' }));
    const file = snapshot([a, b, c, untouched]);
    const parsed = parseStateFile(JSON.stringify(file));
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(Object.keys(parsed.exports)).toHaveLength(3);
    const restored = restoreFacts(initialState(a.target), parsed.exports['0123456789abcdef0123456789abcdef/6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8/1']!);
    expect(restored).toMatchObject({ lastProgressAt: 100, baseline: { status: 'processing', percentage: 40 } });
    expect(restored.observation).toBeUndefined();
    const restoredB = restoreFacts(initialState(b.target), parsed.exports['0123456789abcdef0123456789abcdef/6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8/2']!);
    expect(restoredB).toMatchObject({ completedAt: 200, retired: { at: 300, reason: 'completed' } });
    const restoredC = restoreFacts(initialState(c.target), parsed.exports['0123456789abcdef0123456789abcdef/6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8/3']!);
    expect(restoredC.notFoundSince).toBe(400);
  });

  it('keeps when an export failed, and a failed retirement, across a restart', () => {
    const failed = applyPollResult(initialState(target({ exportId: '5' })), success({ status: 'failed', percentage: 40 }), 500);
    const gone = retire(failed, 'failed', 900);
    const parsed = parseStateFile(JSON.stringify(snapshot([failed, { ...gone, target: target({ exportId: '6' }) }])));
    if (typeof parsed === 'string') throw new Error(parsed);
    const [f, g] = Object.values(parsed.exports);
    expect(restoreFacts(initialState(failed.target), f!)).toMatchObject({ failedSince: 500 });
    expect(restoreFacts(initialState(failed.target), g!)).toMatchObject({ failedSince: 500, retired: { at: 900, reason: 'failed' } });
  });

  it.each([
    ['', 'not valid JSON'],
    ['{"version":2,"exports":{}}', 'unknown format version'],
    ['{"version":1,"exports":[]}', '"exports" is not an object'],
    ['{"version":1,"exports":{"x":{"lastProgressAt":"soon"}}}', 'entry "x" is malformed'],
    ['{"version":1,"exports":{"x":{"retired":{"at":1,"reason":"bored"}}}}', 'entry "x" is malformed'],
    ['{"version":1,"exports":{"x":{"lastProgressAt":1}', 'not valid JSON'],
  ])('rejects %j as %s', (text, problem) => {
    expect(parseStateFile(text)).toBe(problem);
  });

  it('writes atomically: the new content appears whole and no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new content');
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves the old file when the write fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'state.json'), 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
