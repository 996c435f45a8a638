import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELP } from '../src/cli/flags.js';
import { EXPORT_FAMILIES } from '../src/metrics/families.js';
import { createSelfMetrics } from '../src/metrics/self-metrics.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Metric names in the first column of README tables. */
function documentedMetrics(): Set<string> {
  return new Set([...README.matchAll(/^\| `(clouddc_[a-z_]+)` \|/gm)].map((m) => m[1]!));
}

describe('README', () => {
  it('starts with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm start\b/m);
    expect(firstBlock).toMatch(/^npm ci && npm test\b/m);
  });

  it('has a metrics table row for every family the exporter serves, and none that it does not', async () => {
    const self = createSelfMetrics({ version: 'x', defaultMetrics: false });
    const served = new Set([
      ...EXPORT_FAMILIES.map((f) => f.name),
      ...(await self.registry.getMetricsAsJSON()).map((m) => m.name),
    ]);
    expect([...documentedMetrics()].sort()).toEqual([...served].sort());
  });

  it('documents every flag that --help lists', () => {
    for (const flag of HELP.matchAll(/^\s+(?:-h, )?(--[a-z.-]+)/gm)) {
      expect(README).toContain(`\`${flag[1]}`);
    }
  });

  it('links only to runbook sections that exist', () => {
    const anchors = new Set([...README.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const link of README.matchAll(/\]\(#([a-z0-9-]+)\)/g)) expect(anchors).toContain(link[1]);
  });
});
