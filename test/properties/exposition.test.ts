import { spawnSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportTarget } from '../../src/domain/export.js';
import { exportKeyId } from '../../src/domain/export.js';
import type { PollResult } from '../../src/domain/poll.js';
import { escapeHtml } from '../../src/http/html.js';
import type { AccountSource } from '../../src/runtime/exporter.js';
import { startExporter } from '../../src/runtime/start.js';
import { account, config } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { requireTool } from '../support/tools.js';
import { holdsAsync, SEEDS } from './seeds.js';

/**
 * Any string as an export name, label value, account name, id, API status or error message: the exposition
 * passes `promtool check metrics` and says exactly those values, and the status page escapes every one of them.
 */

const FILE = 'test/properties/exposition.test.ts';
const hasPromtool = requireTool('promtool');
const RESERVED = ['project_id', 'server_id', 'export_id', 'name', 'account', 'status', 'code'];
const CONTROL = /[\u0000-\u001f\u007f]/;
/** String#toWellFormed (Node 20; not in the ES2023 lib): lone surrogates become U+FFFD, as UTF-8 encoding does. */
const wf = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();

/** Strings with the characters that break formats: quotes, backslashes, newlines, markup, entities, emoji, NUL. */
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc
    .array(
      fc.constantFrom(
        '"',
        '\\',
        '\n',
        '\r',
        '\t',
        '\u0000',
        '<',
        '>',
        '&',
        "'",
        '</td>',
        '<script>alert(1)</script>',
        '&amp;',
        '&#39;',
        '{',
        '}',
        '=',
        ',',
        ' ',
        '\\n',
        '\u2028',
        '\ufeff',
        '😀',
        '\ud800',
        'é',
      ),
      { maxLength: 8 },
    )
    .map((a) => a.join('')),
);
/** Ids as the config admits them: non-empty, no control characters, well-formed. */
const id = nasty.map((s) => wf(s.replace(/[\u0000-\u001f\u007f]/g, ''))).filter((s) => s !== '' && !CONTROL.test(s));
// Label names are the config's choice and checked there; snake_case keeps promtool's style lint quiet.
const labelName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((n) => !n.startsWith('__') && !RESERVED.includes(n));

interface Spec {
  readonly target: ExportTarget;
  readonly result: PollResult;
}

const spec = (accountName: fc.Arbitrary<string>) =>
  fc.record({
    projectId: id,
    serverId: id,
    exportId: id,
    account: accountName,
    name: nasty,
    labels: fc.dictionary(labelName, nasty, { maxKeys: 3 }),
    result: fc.oneof(
      fc.record({
        ok: fc.constant(true as const),
        attempts: fc.constant(1),
        observation: fc.record({
          status: fc.constantFrom('processing' as const, 'completed' as const, 'failed' as const, 'unknown' as const),
          rawStatus: nasty,
          percentage: fc.double({ min: 0, max: 100, noNaN: true }),
          createdAt: fc.integer({ min: 0, max: 2_000_000_000 }),
        }),
      }),
      fc.record({
        ok: fc.constant(false as const),
        attempts: fc.constant(1),
        reason: fc.constantFrom('500', 'timeout', 'invalid_response', '429'),
        message: nasty,
        errorCode: nasty,
        requestId: nasty,
      }),
    ),
  });

const world = fc
  .tuple(fc.uniqueArray(nasty, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 6 }))
  .chain(([accounts, n]) =>
    fc.uniqueArray(spec(fc.constantFrom(...accounts)), { minLength: 1, maxLength: n, selector: (s) => exportKeyId(s) }).map((specs) => ({ accounts, specs })),
  )
  .map(({ accounts, specs }) => ({
    accounts,
    specs: specs.map((s): Spec => ({
      target: { projectId: s.projectId, serverId: s.serverId, exportId: s.exportId, account: s.account, name: s.name, labels: s.labels },
      result: s.result,
    })),
  }));

async function serve(accounts: readonly string[], specs: readonly Spec[]): Promise<{ metrics: string; page: string; api: any }> {
  const results = new Map(specs.map((s) => [exportKeyId(s.target), s.result]));
  const source: AccountSource = { fetchStatus: async (k) => results.get(exportKeyId(k))!, close: async () => undefined };
  const running = await startExporter({
    config: config(
      accounts.map((name) => account('http://127.0.0.1:9', { name })),
      specs.map((s) => s.target),
    ),
    logger: silentLogger,
    listen: { host: '127.0.0.1', port: 0 },
    now: () => 1_800_000_000_000,
    defaultMetrics: false,
    makeSource: () => source,
  });
  try {
    await running.exporter.runner.idle();
    // A connection per request (no keep-alive), so that stopping the server need not wait for idle sockets.
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        httpGet(`${running.url}${path}`, { agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        }).on('error', reject);
      });
    return { metrics: await get('/metrics'), page: await get('/'), api: JSON.parse(await get('/api/v1/exports')) };
  } finally {
    await running.stop(100);
  }
}

/** Label sets of every sample of `family`, unescaped by the text format's rules. */
function labelSets(text: string, family: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`)) continue;
    const labels: Record<string, string> = {};
    let i = family.length + 1;
    while (line[i] !== '}') {
      const eq = line.indexOf('="', i);
      const name = line.slice(i, eq);
      let value = '';
      for (i = eq + 2; line[i] !== '"'; i++) {
        if (line[i] === '\\') {
          i++;
          value += line[i] === 'n' ? '\n' : line[i];
        } else value += line[i];
      }
      labels[name] = value;
      i++;
      if (line[i] === ',') i++;
    }
    out.push(labels);
  }
  return out;
}

const TAG = /<(\/?[a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*>/g;

/**
 * What markup the page is made of, whatever its text says: each tag's name and attribute names, the rows sorted
 * (their order follows the names), and how many of the characters that make markup (<, >, ", ') it holds at all.
 */
function skeleton(page: string): string {
  const marks = (chunk: string) =>
    [...chunk.matchAll(TAG)].map((m) => [m[1], ...[...m[2]!.matchAll(/\s+([a-zA-Z-]+)(?:="[^"]*")?/g)].map((a) => a[1])].join(' ')).join('|');
  const start = page.indexOf('<tbody>');
  const end = page.lastIndexOf('</tbody>');
  const rows = page
    .slice(start, end)
    .split(/(?=<tr[\s>])/)
    .map(marks)
    .sort();
  const count = (c: string) => page.split(c).length - 1;
  return [marks(page.slice(0, start)), ...rows, marks(page.slice(end)), ...['<', '>', '"', "'"].map((c) => `${c} x${count(c)}`)].join('\n');
}

/** The same world with every string replaced by a harmless one of the same emptiness (so the page's layout is the same). */
function tamed(accounts: readonly string[], specs: readonly Spec[]): { accounts: string[]; specs: Spec[] } {
  const map = new Map<string, string>();
  const t = (s: string) => {
    if (s === '') return '';
    let v = map.get(s);
    if (v === undefined) map.set(s, (v = `v${map.size}`));
    return v;
  };
  return {
    accounts: accounts.map(t),
    specs: specs.map(({ target: x, result: r }) => ({
      target: {
        ...x,
        projectId: t(x.projectId),
        serverId: t(x.serverId),
        exportId: t(x.exportId),
        account: t(x.account),
        name: t(x.name),
        labels: Object.fromEntries(Object.entries(x.labels).map(([k, v]) => [k, t(v)])),
      },
      result: r.ok
        ? {
            ...r,
            observation: {
              ...r.observation,
              rawStatus: r.observation.rawStatus === r.observation.status ? r.observation.status : `raw-${t(r.observation.rawStatus)}`,
            },
          }
        : { ...r, message: t(r.message), errorCode: t(r.errorCode ?? ''), requestId: t(r.requestId ?? '') },
    })),
  };
}

describe.skipIf(!hasPromtool)('any string as a name, label value, id or API text', () => {
  it.each(SEEDS)('gives an exposition promtool accepts, with exactly those values, and an escaped status page (%s %i)', async (_name, seed) => {
    await holdsAsync(
      fc.asyncProperty(world, async ({ accounts, specs }) => {
        const { metrics, page, api } = await serve(accounts, specs);

        // Exit 0: no lint finding at all.
        const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
        const findings = (lint.stderr + lint.stdout).split('\n').filter((l) => l.trim() !== '');
        expect(lint.status, `promtool exit ${lint.status}: ${lint.stderr}${lint.stdout}\n${metrics}`).toBe(0);
        expect(findings, metrics).toEqual([]);

        // Every export's info series carries its values exactly (well-formed: UTF-8 cannot hold a lone surrogate).
        const infos = labelSets(metrics, 'clouddc_log_export_info');
        expect(infos).toHaveLength(specs.length);
        for (const { target: x } of specs) {
          const want = {
            project_id: x.projectId,
            server_id: x.serverId,
            export_id: x.exportId,
            name: wf(x.name),
            account: wf(x.account),
            ...Object.fromEntries(Object.entries(x.labels).map(([k, v]) => [k, wf(v)])),
          };
          expect(infos).toContainEqual(want);
        }

        // The JSON API gives every value back exactly as configured (JSON escapes even a lone surrogate).
        const byKey = new Map<string, any>(api.exports.map((e: any) => [`${e.project_id}/${e.server_id}/${e.export_id}`, e]));
        for (const { target: x } of specs) {
          const e = byKey.get(exportKeyId(x));
          expect([e.name, e.account, e.labels]).toEqual([x.name, x.account, x.labels]);
        }

        // The page has the markup of the same page made from harmless strings: nothing a value holds became markup.
        const safe = tamed(accounts, specs);
        const { page: safePage } = await serve(safe.accounts, safe.specs);
        expect(skeleton(page)).toBe(skeleton(safePage));
        // And each value is on it, escaped.
        for (const { target: x } of specs) {
          for (const v of [x.serverId, x.exportId, x.name, ...Object.values(x.labels)]) {
            if (v !== '') expect(page).toContain(escapeHtml(wf(v)));
          }
        }
      }),
      seed,
      25,
      FILE,
    );
  });
});
