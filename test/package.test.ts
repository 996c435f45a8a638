import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
// npm adds these itself whatever "files" says; build-info.json is the revision the build recorded.
const TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/build-info.json']);

/** The paths `npm pack` would put in the tarball, from the current dist/ (npm test builds it first). */
function packed(): string[] {
  if (!existsSync(join(REPO, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: run "npm run build" first (npm test does)');
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return pack!.files.map((f) => f.path).sort();
}

/** Every .ts under dir, as a path from the repository root. */
function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.ts'))
    .map((p) => join(dir, p));
}

describe('the npm package (npm pack --dry-run)', () => {
  const files = packed();

  it('ships only the compiled src/ and the files npm always adds: no generator, harness or tests', () => {
    const extra = files.filter((p) => !p.startsWith('dist/src/') && !TOP_LEVEL.has(p));
    expect(extra).toEqual([]);
    for (const dir of ['dist/monitoring/', 'dist/bench/', 'dist/soak/', 'dist/test/', 'build/', 'src/', 'test/']) {
      expect(files.filter((p) => p.startsWith(dir))).toEqual([]);
    }
  });

  it('ships the compiled form of every src/ module and nothing without a source (no stale build output)', () => {
    const compiled = files.filter((p) => p.startsWith('dist/src/') && p.endsWith('.js'));
    const want = sources('src').map((p) => `dist/${p.replace(/\.ts$/, '.js')}`);
    expect(compiled).toEqual(want.sort());
  });

  it('ships no source maps (they would point at src/, which is not shipped)', () => {
    expect(files.filter((p) => p.endsWith('.map'))).toEqual([]);
  });

  it('ships the bin it names, the README and the licence', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(relative('.', bin));
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('package.json');
  });
});
