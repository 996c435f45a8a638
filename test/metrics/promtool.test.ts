import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';

const GOLDEN = ['../runtime/golden/metrics.prom', '../store/golden/store.prom'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const hasPromtool = requireTool('promtool');

describe.skipIf(!hasPromtool)('promtool check metrics', () => {
  it.each(GOLDEN)('accepts %s without a single lint finding', (file) => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: readFileSync(file) });
    expect(r.stderr.toString() + r.stdout.toString()).toBe('');
    expect(r.status).toBe(0);
  });

  it('really lints: a counter without _total is reported', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: '# HELP x_count a\n# TYPE x_count counter\nx_count 1\n' });
    expect(r.status).not.toBe(0);
  });
});
