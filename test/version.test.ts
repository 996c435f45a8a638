import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REVISION, revisionFrom } from '../src/version.js';

const SCRIPT = fileURLToPath(new URL('../scripts/write-build-info.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Runs the build step that records the revision, in `cwd`, and returns what it wrote. */
function record(cwd: string, env: NodeJS.ProcessEnv): unknown {
  const out = join(mkdtempSync(join(tmpdir(), 'cde-build-')), 'dist', 'build-info.json');
  const r = spawnSync(process.execPath, [SCRIPT, out], { cwd, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('build revision (clouddc_exporter_build_info{revision})', () => {
  it('takes the REVISION build arg when set (the image is built without .git)', () => {
    expect(record(tmpdir(), { REVISION: '0a1b2c3d' })).toEqual({ revision: '0a1b2c3d' });
  });

  it('takes the git commit of the checkout when REVISION is unset or "unknown"', () => {
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(record(REPO, {})).toEqual({ revision: head });
    expect(record(REPO, { REVISION: 'unknown' })).toEqual({ revision: head });
  });

  it('says "unknown" with neither', () => {
    expect(record(mkdtempSync(join(tmpdir(), 'cde-nogit-')), { GIT_CEILING_DIRECTORIES: tmpdir() })).toEqual({ revision: 'unknown' });
  });

  it('reads only a plausible revision back; anything else is "unknown"', () => {
    expect(revisionFrom({ revision: 'db725e2eb7d74a15ea9f584f6e91a63306b0c2e7' })).toBe('db725e2eb7d74a15ea9f584f6e91a63306b0c2e7');
    expect(revisionFrom({ revision: 'v1.2.3' })).toBe('v1.2.3');
    for (const bad of [undefined, {}, { revision: 42 }, { revision: '' }, { revision: 'a b' }, { revision: 'x"}' }, { revision: 'x'.repeat(101) }]) {
      expect(revisionFrom(bad)).toBe('unknown');
    }
    // Run from src/ (as here), there is no dist/build-info.json next to the code.
    expect(REVISION).toBe('unknown');
  });
});
