import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HELP } from '../src/cli/flags.js';
import { parseConfig } from '../src/config/load.js';
import { accountSchema, exportSchema, pollSchema, retentionSchema, topSchema } from '../src/config/schema.js';
import { autoCollectSchema } from '../src/config/auto-collect.js';
import { EXPORT_FAMILIES } from '../src/exposition/families.js';
import { FLEET_FAMILIES } from '../src/exposition/fleet-families.js';
import { NON_CONFORMING_DEFAULT_METRICS } from '../src/metrics/default-metrics.js';
import { createSelfMetrics } from '../src/metrics/self-metrics.js';
import { exportFileMetrics } from '../src/metrics/export-file-metrics.js';

/**
 * The documentation drift test: the README is a front page, and the docs/ pages document every metric, flag and
 * config key the code has, once, with links that resolve.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const RUNBOOK_BASE = 'https://github.com/clouddc-exporter/clouddc-exporter/blob/main/docs/runbooks.md#';

/** Markdown without fenced code blocks, whose lines are neither headings nor links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Every inline link and image target of a page, outside code. */
function links(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** Every key path of a zod schema, e.g. `rate_limit.burst`; objects give their own path and their keys'. */
function keyPaths(schema: z.ZodType, prefix: string): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def['shape'] as Record<string, z.ZodType>).flatMap(([key, value]) => {
        const path = `${prefix}.${key}`;
        return [path, ...keyPaths(value, path)];
      });
    case 'optional':
    case 'nullable':
    case 'default':
      return keyPaths(def['innerType'] as z.ZodType, prefix);
    case 'pipe':
      return [...keyPaths(def['in'] as z.ZodType, prefix), ...keyPaths(def['out'] as z.ZodType, prefix)];
    default:
      return [];
  }
}

/** The config file's sections, by the path a user writes; a new top-level key fails the test until it is listed. */
const SECTIONS: Record<string, [string, z.ZodType]> = {
  poll: ['poll', pollSchema],
  retention: ['retention', retentionSchema],
  accounts: ['accounts.<name>', accountSchema],
  exports: ['exports[]', exportSchema],
  // A list of file patterns, checked by src/config/export-files.ts; the files hold exports[] entries.
  export_files: ['export_files', topSchema.shape.export_files],
  auto_collect: ['auto_collect', autoCollectSchema],
};

function configKeys(): { all: Set<string>; leaves: string[] } {
  const all = new Set<string>();
  for (const [section, [path, schema]] of Object.entries(SECTIONS)) {
    all.add(section);
    all.add(path);
    for (const p of keyPaths(schema, path)) all.add(p);
  }
  const leaves = [...all].filter((p) => ![...all].some((q) => q.startsWith(`${p}.`)) && !Object.keys(SECTIONS).includes(p));
  return { all, leaves };
}

describe('README', () => {
  it('starts with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm start\b/m);
    expect(firstBlock).toMatch(/^npm ci && npm test\b/m);
  });

  it('is a front page of at most 12 KB', () => {
    expect(Buffer.byteLength(README)).toBeLessThanOrEqual(12 * 1024);
  });

  it('shows a minimal configuration that the exporter accepts', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(yaml).toMatch(/^exports:/m);
    expect(parseConfig(yaml, { env: {}, baseDir: ROOT })).toMatchObject({ ok: true });
  });

  it('links to every page of docs/', () => {
    const linked = new Set(links(README).map((l) => l.split('#')[0]));
    for (const page of PAGES.filter((p) => p !== 'README.md')) expect(linked, page).toContain(page);
  });
});

describe('docs/metrics.md', () => {
  const page = read('docs/metrics.md');
  const rows = [...page.matchAll(/^\| `(clouddc_[a-z_]+)` \|/gm)].map((m) => m[1]!);

  it('has exactly one table row for every family the exporter serves, and none that it does not', async () => {
    const self = createSelfMetrics({ version: 'x', defaultMetrics: false });
    // The export_files gauges are registered once export_files is used.
    exportFileMetrics(self.registry)([]);
    // The auto_collect counters are registered once an account is watched.
    self.autoCollect.watch('x', true);
    const served = new Set([
      ...EXPORT_FAMILIES.map((f) => f.name),
      ...FLEET_FAMILIES.map((f) => f.name),
      ...(await self.registry.getMetricsAsJSON()).map((m) => m.name),
    ]);
    expect(
      rows.filter((name, i) => rows.indexOf(name) !== i),
      'documented twice',
    ).toEqual([]);
    expect([...new Set(rows)].sort()).toEqual([...served].sort());
  });

  it("lists each exporter metric's type and labels as the code registers them", () => {
    const self = createSelfMetrics({ version: 'x', defaultMetrics: false });
    self.autoCollect.watch('x', true);
    const table = new Map([...page.matchAll(/^\| `(clouddc_[a-z_]+)` \| ([a-z]+) \|([^|]*)\|/gm)].map((m) => [m[1]!, `${m[2]} | ${m[3]!.trim()}`]));
    for (const metric of self.registry.getMetricsAsArray() as unknown as Array<{ name: string; type: string; labelNames: string[] }>) {
      expect(table.get(metric.name), metric.name).toBe(`${metric.type} | ${metric.labelNames.map((l) => `\`${l}\``).join(', ')}`);
    }
  });

  it('names the prom-client defaults the exporter leaves out, and their replacement', () => {
    for (const name of NON_CONFORMING_DEFAULT_METRICS) {
      expect(page).toContain(`\`${name}\``);
      expect(page).toContain(`sum without (type) (${name.replace(/_total$/, '')})`);
    }
  });
});

describe('docs/cli.md', () => {
  const page = read('docs/cli.md');
  const helpFlags = [...HELP.matchAll(/^\s+(?:-h, )?(--[a-z.-]+)/gm)].map((m) => m[1]!);
  const rows = [...page.matchAll(/^\| (?:`-h`, )?`(--[a-z.-]+)[`=]/gm)].map((m) => m[1]!);

  it('has a table row for every flag that --help lists, and none that it does not', () => {
    expect(helpFlags.length).toBeGreaterThan(5);
    expect([...new Set(rows)].sort()).toEqual([...new Set(helpFlags)].sort());
    expect(rows.length, 'a flag documented twice').toBe(new Set(rows).size);
  });
});

describe('docs/configuration.md', () => {
  const page = read('docs/configuration.md');
  const { all, leaves } = configKeys();

  it('knows every top-level section of the schema', () => {
    expect(Object.keys(topSchema.shape).sort()).toEqual(Object.keys(SECTIONS).sort());
  });

  it('documents every key of the config schema by its full path', () => {
    expect(leaves.length).toBeGreaterThan(20);
    const missing = leaves.filter((path) => !page.includes(`\`${path}\``));
    expect(missing, 'keys missing from docs/configuration.md').toEqual([]);
  });

  it('has table rows only for keys the schema has', () => {
    const rows = [...page.matchAll(/^\| `([a-z_.<>[\]]+)` \|/gm)].map((m) => m[1]!);
    expect(rows.length).toBeGreaterThan(20);
    expect(
      rows.filter((r) => !all.has(r)),
      'rows for keys the schema does not have',
    ).toEqual([]);
  });
});

describe('links', () => {
  it.each(PAGES)('%s: every relative link and #anchor resolves', (page) => {
    const broken: string[] = [];
    for (const target of links(read(page))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : relative(ROOT, join(ROOT, dirname(page), decodeURIComponent(path)));
      if (file.startsWith('..') || !existsSync(join(ROOT, file))) {
        broken.push(`${target}: no file ${file}`);
      } else if (anchor !== undefined && !(file.endsWith('.md') && anchors(read(file)).has(anchor))) {
        broken.push(`${target}: no heading #${anchor} in ${file}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('points every runbook_url of the alert rules at a section of docs/runbooks.md', () => {
    const rules = (
      parse(read('helm/clouddc-exporter/files/alerts.yml')) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }> }
    ).groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert !== undefined);
    expect(rules.length).toBeGreaterThan(5);
    const sections = anchors(read('docs/runbooks.md'));
    for (const rule of rules) {
      const url = rule.annotations?.runbook_url ?? '';
      expect(url.startsWith(RUNBOOK_BASE), `${rule.alert}: ${url}`).toBe(true);
      expect(sections, `${rule.alert}: ${url}`).toContain(url.slice(RUNBOOK_BASE.length));
    }
  });
});
