import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportKeyId, type ExportTarget } from '../../src/domain/export.js';
import { ExportStore } from '../../src/store/export-store.js';
import { failure, success, target } from '../support/factories.js';
import { expectGolden } from '../support/golden.js';
import { holds, SEEDS } from '../properties/seeds.js';

const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

const a = target({ exportId: '1', name: 'rack12-u07', labels: { ticket: 'INC-1234', team: 'dc "ops"' } });
const b = target({ exportId: '2', serverId: 'srv-b' });
const c = target({ exportId: '3', serverId: 'srv-c', account: 'other' });

describe('ExportStore', () => {
  it('renders every family for exports in every phase (golden)', () => {
    const store = new ExportStore();
    store.sync([a, b, c]);
    store.apply(exportKeyId(a), success({ percentage: 30, rawStatus: 'Running' }), 1_750_000_100);
    store.apply(exportKeyId(a), failure('429'), 1_750_000_130);
    store.apply(exportKeyId(b), success({ status: 'completed', percentage: 100 }), 1_750_000_200.5);
    store.apply(exportKeyId(c), failure('timeout', 'timed out'), 1_750_000_300);
    expectGolden(store.render(1_750_000_400), golden('store.prom'));
  });

  it('shows only info, poll_success and zeroed error counters before the first successful poll', () => {
    const store = new ExportStore();
    store.sync([b]);
    const text = store.render(1_750_000_000);
    const series = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(series).toEqual([
      'clouddc_log_export_info{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2",name="",account="main"} 1',
      'clouddc_log_export_poll_success{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2"} 0',
      'clouddc_log_export_api_errors_total{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2",code="401"} 0',
      'clouddc_log_export_api_errors_total{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2",code="429"} 0',
      'clouddc_log_export_api_errors_total{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2",code="500"} 0',
    ]);
  });

  it('computes age at scrape time', () => {
    const store = new ExportStore();
    store.sync([b]);
    store.apply(exportKeyId(b), success({ createdAt: 1000 }), 1100);
    expect(store.render(1500)).toContain('clouddc_log_export_age_seconds{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2"} 500\n');
    expect(store.render(1600.25)).toContain('export_id="2"} 600.25\n');
  });

  it('drops every series of a removed export and keeps the state of the others', () => {
    const store = new ExportStore();
    store.sync([a, b]);
    store.apply(exportKeyId(a), failure('500'), 10);
    store.apply(exportKeyId(b), success(), 10);
    const result = store.sync([a]);
    expect(result.removed).toEqual([exportKeyId(b)]);
    expect(result.added).toEqual([]);
    const text = store.render(20);
    expect(text).not.toContain('export_id="2"');
    expect(text).toContain('code="500"} 1');
  });

  it('keeps counters when only the name or labels change', () => {
    const store = new ExportStore();
    store.sync([a]);
    store.apply(exportKeyId(a), failure('500'), 10);
    const renamed = { ...a, name: 'renamed', labels: {} };
    store.sync([renamed]);
    const text = store.render(20);
    expect(text).toContain('name="renamed"');
    expect(text).not.toContain('ticket=');
    expect(text).toContain('code="500"} 1');
  });

  it('ignores results for exports removed while their poll was in flight', () => {
    const store = new ExportStore();
    store.sync([a]);
    store.sync([]);
    expect(store.apply(exportKeyId(a), success(), 1)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('never rewrites the bytes of a scrape still being written, and reuses them once released', () => {
    const store = new ExportStore();
    store.sync([a, b]);
    store.apply(exportKeyId(a), success({ createdAt: 1000 }), 1100);
    store.apply(exportKeyId(b), success({ createdAt: 1000 }), 1100);
    const first = store.renderChunks(2000);
    const firstText = Buffer.concat(first).toString();
    const second = store.renderChunks(3000.5);
    expect(Buffer.concat(first).toString()).toBe(firstText);
    expect(Buffer.concat(second).toString()).toContain('export_id="2"} 2000.5\n');
    store.releaseChunks(first);
    // The second scrape is still open, so the first one's memory waits.
    const ages = (chunks: Buffer[]) => chunks.find((c) => c.toString().startsWith('clouddc_log_export_age_seconds{'))!;
    const waiting = store.renderChunks(3500);
    expect([ages(first).buffer, ages(second).buffer]).not.toContain(ages(waiting).buffer);
    expect(Buffer.concat(second).toString()).toContain('export_id="2"} 2000.5\n');
    store.releaseChunks(second);
    store.releaseChunks(waiting);
    store.releaseChunks(waiting);
    // Every scrape is closed: the ages of the next one are written into memory a closed one gave back.
    const third = store.renderChunks(4000);
    expect([ages(first).buffer, ages(second).buffer, ages(waiting).buffer]).toContain(ages(third).buffer);
    expect(Buffer.concat(third).toString()).toContain('export_id="2"} 3000\n');
  });

  it('serves the very same Buffers scrape after scrape, but for the ages, while nothing changes', () => {
    // What gzip's cached segments rely on: a chunk that is a new Buffer each scrape is compressed each scrape.
    const store = new ExportStore();
    store.sync([a, b]);
    store.apply(exportKeyId(a), success({ createdAt: 1000 }), 1100);
    const first = store.renderChunks(2000);
    const second = store.renderChunks(2001);
    const fresh = second.filter((c, i) => c !== first[i]).map((c) => c.toString());
    expect(fresh).toEqual([expect.stringMatching(/^clouddc_log_export_age_seconds\{.*\} 1001\n$/)]);
    store.releaseChunks(first);
    store.releaseChunks(second);
  });

  it.each(SEEDS)('serves after any run of polls, renames and retirements exactly what rendering every state afresh serves (%s %i)', (_name, seed) => {
    // A poll re-renders only the families whose unchanged() says they may differ; a check that
    // misses something its family renders would leave a stale line, and this comparison finds it.
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('ok' as const),
        at: fc.nat(2),
        status: fc.constantFrom('processing', 'completed', 'failed', 'unknown' as const),
        percentage: fc.integer({ min: 0, max: 100 }),
        createdAt: fc.constantFrom(1_750_000_000, 1_750_000_050.5),
      }),
      fc.record({ kind: fc.constant('fail' as const), at: fc.nat(2), reason: fc.constantFrom('404', '429', '500', 'timeout', 'network') }),
      fc.record({
        kind: fc.constant('retarget' as const),
        at: fc.nat(2),
        name: fc.constantFrom('', 'rack-1', 'zürich'),
        account: fc.constantFrom('main', 'other'),
        team: fc.constantFrom(undefined, 'ops'),
      }),
      fc.record({ kind: fc.constant('retire' as const) }),
      fc.record({ kind: fc.constant('scrape' as const) }),
    );
    holds(
      fc.property(fc.array(op, { maxLength: 60, size: 'max' }), (ops) => {
        const store = new ExportStore();
        let current: ExportTarget[] = [a, b, c];
        store.sync(current);
        let now = 1_750_000_100;
        const afresh = (): string => {
          const fresh = new ExportStore();
          fresh.sync(current);
          for (const t of current) fresh.replace(exportKeyId(t), () => store.get(exportKeyId(t))!);
          return fresh.render(now);
        };
        for (const o of ops) {
          now += 7;
          if (o.kind === 'ok') {
            store.apply(exportKeyId(current[o.at]!), success({ status: o.status, rawStatus: o.status, percentage: o.percentage, createdAt: o.createdAt }), now);
          } else if (o.kind === 'fail') {
            store.apply(exportKeyId(current[o.at]!), failure(o.reason), now);
          } else if (o.kind === 'retarget') {
            current = current.map((t, i) => (i === o.at ? { ...t, name: o.name, account: o.account, labels: o.team ? { team: o.team } : {} } : t));
            store.sync(current);
          } else if (o.kind === 'retire') {
            store.retireDue(now, { completedMs: 20_000, notFoundMs: 20_000 });
          } else {
            expect(store.render(now)).toBe(afresh());
          }
        }
        expect(store.render(now)).toBe(afresh());
      }),
      seed,
      200,
      'test/store/export-store.test.ts',
    );
  });
});
