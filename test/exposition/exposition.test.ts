import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportKeyId, type ExportTarget } from '../../src/domain/export.js';
import { Exposition, type ScrapeLease } from '../../src/exposition/exposition.js';
import { ExportStore } from '../../src/store/export-store.js';
import { failure, success, target } from '../support/factories.js';
import { expectGolden } from '../support/golden.js';
import { holds, SEEDS } from '../properties/seeds.js';

const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

const a = target({ exportId: '1', name: 'rack12-u07', labels: { ticket: 'INC-1234', team: 'dc "ops"' } });
const b = target({ exportId: '2', serverId: 'srv-b' });
const c = target({ exportId: '3', serverId: 'srv-c', account: 'other' });

/** A store with an exposition listening to it, as the exporter wires them. */
function tracked(): { store: ExportStore; exposition: Exposition } {
  const exposition = new Exposition();
  return { store: new ExportStore(exposition), exposition };
}

const plain = (store: Exposition, now: number): Promise<ScrapeLease> => store.scrape(now, { gzip: false });
const text = (lease: ScrapeLease): string => Buffer.concat(lease.chunks).toString();

describe('Exposition', () => {
  it('renders every family for exports in every phase (golden)', () => {
    const { store, exposition } = tracked();
    store.sync([a, b, c]);
    store.apply(exportKeyId(a), success({ percentage: 30, rawStatus: 'Running' }), 1_750_000_100);
    store.apply(exportKeyId(a), failure('429'), 1_750_000_130);
    store.apply(exportKeyId(b), success({ status: 'completed', percentage: 100 }), 1_750_000_200.5);
    store.apply(exportKeyId(c), failure('timeout', 'timed out'), 1_750_000_300);
    expectGolden(exposition.render(1_750_000_400), golden('exposition.prom'));
  });

  it('shows only info, poll_success and zeroed error counters before the first successful poll', () => {
    const { store, exposition } = tracked();
    store.sync([b]);
    const text = exposition.render(1_750_000_000);
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
    const { store, exposition } = tracked();
    store.sync([b]);
    store.apply(exportKeyId(b), success({ createdAt: 1000 }), 1100);
    expect(exposition.render(1500)).toContain(
      'clouddc_log_export_age_seconds{project_id="0123456789abcdef0123456789abcdef",server_id="srv-b",export_id="2"} 500\n',
    );
    expect(exposition.render(1600.25)).toContain('export_id="2"} 600.25\n');
  });

  it('drops every series of a removed export and keeps the state of the others', () => {
    const { store, exposition } = tracked();
    store.sync([a, b]);
    store.apply(exportKeyId(a), failure('500'), 10);
    store.apply(exportKeyId(b), success(), 10);
    const result = store.sync([a]);
    expect(result.removed).toEqual([exportKeyId(b)]);
    expect(result.added).toEqual([]);
    const text = exposition.render(20);
    expect(text).not.toContain('export_id="2"');
    expect(text).toContain('code="500"} 1');
  });

  it('keeps counters when only the name or labels change', () => {
    const { store, exposition } = tracked();
    store.sync([a]);
    store.apply(exportKeyId(a), failure('500'), 10);
    const renamed = { ...a, name: 'renamed', labels: {} };
    store.sync([renamed]);
    const text = exposition.render(20);
    expect(text).toContain('name="renamed"');
    expect(text).not.toContain('ticket=');
    expect(text).toContain('code="500"} 1');
  });

  it('ignores results for exports removed while their poll was in flight', () => {
    const { store } = tracked();
    store.sync([a]);
    store.sync([]);
    expect(store.apply(exportKeyId(a), success(), 1)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('never rewrites the bytes of a scrape still being written, and reuses them once released', async () => {
    const { store, exposition } = tracked();
    store.sync([a, b]);
    store.apply(exportKeyId(a), success({ createdAt: 1000 }), 1100);
    store.apply(exportKeyId(b), success({ createdAt: 1000 }), 1100);
    const first = await plain(exposition, 2000);
    const firstText = text(first);
    const second = await plain(exposition, 3000.5);
    expect(text(first)).toBe(firstText);
    expect(text(second)).toContain('export_id="2"} 2000.5\n');
    first.release();
    // The second scrape is still open, so the first one's memory waits.
    const ages = (lease: ScrapeLease) => lease.chunks.find((c) => c.toString().startsWith('clouddc_log_export_age_seconds{'))!;
    const waiting = await plain(exposition, 3500);
    expect([ages(first).buffer, ages(second).buffer]).not.toContain(ages(waiting).buffer);
    expect(text(second)).toContain('export_id="2"} 2000.5\n');
    second.release();
    waiting.release();
    waiting.release();
    // Every scrape is closed: the ages of the next one are written into memory a closed one gave back.
    const third = await plain(exposition, 4000);
    expect([ages(first).buffer, ages(second).buffer, ages(waiting).buffer]).toContain(ages(third).buffer);
    expect(text(third)).toContain('export_id="2"} 3000\n');
    third.release();
  });

  it('serves the very same Buffers scrape after scrape, but for the ages, while nothing changes', async () => {
    // What gzip's cached segments rely on: a chunk that is a new Buffer each scrape is compressed each scrape.
    const { store, exposition } = tracked();
    store.sync([a, b]);
    store.apply(exportKeyId(a), success({ createdAt: 1000 }), 1100);
    const first = await plain(exposition, 2000);
    const second = await plain(exposition, 2001);
    const fresh = second.chunks.filter((c, i) => c !== first.chunks[i]).map((c) => c.toString());
    expect(fresh).toEqual([expect.stringMatching(/^clouddc_log_export_age_seconds\{.*\} 1001\n$/)]);
    first.release();
    second.release();
  });

  it('serves the same text gzipped, with the head first', async () => {
    const exposition = new Exposition({ head: async () => '# own metrics\n' });
    const store = new ExportStore(exposition);
    store.sync([a, b]);
    store.apply(exportKeyId(a), success({ createdAt: 1000 }), 1100);
    const identity = await plain(exposition, 2000);
    const gzipped = await exposition.scrape(2000, { gzip: true });
    expect(identity.encoding).toBe('identity');
    expect(gzipped.encoding).toBe('gzip');
    expect(text(identity)).toMatch(/^# own metrics\n# HELP clouddc_log_export_info /);
    expect(gunzipSync(Buffer.concat(gzipped.chunks)).toString()).toBe(text(identity));
    identity.release();
    gzipped.release();
  });

  it.each(SEEDS)('serves after any run of polls, renames and retirements exactly what rendering every state afresh serves (%s %i)', (_name, seed) => {
    // A poll re-renders its export and the rebuild keeps the Buffers whose bytes come out equal; a
    // slot or Buffer kept wrongly would leave a stale line, and this comparison finds it.
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
        const { store, exposition } = tracked();
        let current: ExportTarget[] = [a, b, c];
        store.sync(current);
        let now = 1_750_000_100;
        const afresh = (): string => {
          const fresh = tracked();
          fresh.store.sync(current);
          for (const t of current) fresh.store.update(exportKeyId(t), () => store.get(exportKeyId(t))!);
          return fresh.exposition.render(now);
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
            store.retireDue(now, { completedMs: 20_000, notFoundMs: 20_000, failedMs: 20_000 });
          } else {
            expect(exposition.render(now)).toBe(afresh());
          }
        }
        expect(exposition.render(now)).toBe(afresh());
      }),
      seed,
      200,
      'test/exposition/exposition.test.ts',
    );
  });
});
