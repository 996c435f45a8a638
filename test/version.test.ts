import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REVISION, VERSION, revisionFrom } from '../src/version.js';
import { MAIN } from './support/cli.js';

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

describe('release 0.2.0 and later: every place that names the version agrees', () => {
  const read = (rel: string) => readFileSync(join(REPO, rel), 'utf8');
  const pkg = JSON.parse(read('package.json')) as { version: string };
  const chart = read('helm/clouddc-exporter/Chart.yaml');
  const field = (name: string) => new RegExp(`^${name}: "?([^"\\s]+)"?$`, 'm').exec(chart)?.[1];

  it('package.json, the chart (version, appVersion, Artifact Hub image) and the binary', () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(field('version')).toBe(pkg.version);
    expect(field('appVersion')).toBe(pkg.version);
    expect(/image: ghcr\.io\/clouddc-exporter\/clouddc-exporter:(\S+)/.exec(chart)?.[1]).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    const r = spawnSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(new RegExp(`^clouddc-exporter ${pkg.version.replace(/\./g, '\\.')} \\(`));
  });

  it('is the newest released section of CHANGELOG.md, with its date', () => {
    const heading = /^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$/m.exec(read('CHANGELOG.md'));
    expect(heading?.[1]).toBe(pkg.version);
    // Nothing above it but the title: the release's own entries are the top section.
    expect(read('CHANGELOG.md').indexOf(heading![0])).toBeLessThan(read('CHANGELOG.md').indexOf('### '));
  });

  it('is the version the docs install and build, and no page says an older one was published', () => {
    for (const rel of ['README.md', 'Dockerfile', 'docs/deployment.md', 'docs/cli.md', 'helm/clouddc-exporter/README.md']) {
      const text = read(rel);
      for (const m of text.matchAll(/(?:--version |clouddc-exporter:|VERSION=|version=)(\d+\.\d+\.\d+)(?![-\w.])/g))
        expect(m[1], `${rel}: ${m[0]}`).toBe(pkg.version);
    }
    for (const rel of ['docs/cli.md', 'docs/metrics.md']) expect(read(rel), rel).not.toMatch(/up to 0\.1\.0/);
  });

  it('is checked by the release workflow against the tag: package, chart, CHANGELOG and the built binary', () => {
    const wf = read('.github/workflows/release.yml');
    for (const needle of ['package.json', 'appVersion', 'artifacthub.io/images', 'CHANGELOG.md', 'node dist/src/main.js --version']) {
      expect(wf, needle).toContain(needle);
    }
    // Every job builds exactly the tag that triggered it.
    const checkouts = [...wf.matchAll(/- uses: actions\/checkout@v4\n(\s+)with:\n\1 {2}ref: \$\{\{ github\.ref \}\}/g)];
    expect(checkouts).toHaveLength((wf.match(/actions\/checkout@v4/g) ?? []).length);
  });
});
