import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';

const GOLDEN = ['../runtime/golden/metrics.prom', '../store/golden/store.prom'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const hasPromtool = requireTool('promtool');

/**
 * The one finding we accept: issue #4 names the shard-count gauge `clouddc_exporter_shard_total`, which the
 * linter (rightly, in general) reads as a counter suffix. Everything else must be clean.
 */
const ACCEPTED = ['clouddc_exporter_shard_total non-counter metrics should not have "_total" suffix'];

describe.skipIf(!hasPromtool)('promtool check metrics', () => {
  it.each(GOLDEN)('accepts %s with no lint finding but the accepted one', (file) => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: readFileSync(file) });
    expect(r.status === 0 || r.status === 3).toBe(true);
    const findings = (r.stderr.toString() + r.stdout.toString()).split('\n').filter((l) => l.trim() !== '');
    expect(findings.filter((f) => !ACCEPTED.includes(f))).toEqual([]);
  });

  it('really lints: a counter without _total is reported', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: '# HELP x_count a\n# TYPE x_count counter\nx_count 1\n' });
    expect(r.status).not.toBe(0);
  });
});
