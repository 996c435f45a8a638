import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/exposition/text.js';
import { RenderedBlocks, type Slot, type SlotText } from '../../src/exposition/rendered-blocks.js';

interface Model {
  slot: Slot;
  text: SlotText;
}

/** One static column, then one timed column, as the store would serve them at `now`. */
function read(blocks: RenderedBlocks, now: number): string[] {
  const r = blocks.read(now);
  const out: Buffer[] = [];
  r.chunks(0, out);
  const text = [Buffer.concat(out).toString('utf8'), r.timed(0).toString('utf8')];
  r.end();
  return text;
}

/** Static column 0 alone. */
function readStatic(blocks: RenderedBlocks): string {
  const r = blocks.read(0);
  const out: Buffer[] = [];
  r.chunks(0, out);
  r.end();
  return Buffer.concat(out).toString('utf8');
}

/** What a plain list of the current lines gives. */
function expected(model: readonly Model[], now: number): string[] {
  const age = (m: Model) => formatValue(Math.max(0, Math.round((now - m.text.since[0]!) * 1000) / 1000));
  return [model.map((m) => m.text.lines[0]).join(''), model.map((m) => (m.text.lines[1] === '' ? '' : `${m.text.lines[1]}${age(m)}\n`)).join('')];
}

const ascii = (lines: readonly string[]): boolean => lines.every((l) => /^[\x00-\x7f]*$/.test(l));
const value = fc.string({ unit: 'grapheme', maxLength: 12 });
const text = fc
  .tuple(
    fc.oneof(
      fc.constant(''),
      value.map((v) => `x{v="${v}"} 1\n`),
    ),
    fc.oneof(
      fc.constant(''),
      value.map((v) => `age{v="${v}"} `),
    ),
    fc.double({ min: 0, max: 2e9, noNaN: true }),
  )
  .map(([line, prefix, since]): SlotText => ({ lines: [line, prefix], since: [since], ascii: ascii([line, prefix]) }));

describe('RenderedBlocks', () => {
  it('always serves exactly what a plain list of the current lines would, and never changes bytes a read still holds', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), text }) },
      // An update may leave either column as it was (undefined).
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), at: fc.nat(), text, keep: fc.tuple(fc.boolean(), fc.boolean()) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), now: fc.double({ min: 0, max: 3e9, noNaN: true }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), now: fc.double({ min: 0, max: 3e9, noNaN: true }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), at: fc.nat() }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 9 }), (ops, blockSize) => {
        const blocks = new RenderedBlocks(1, 1, blockSize);
        const model: Model[] = [];
        // Reads left open, as scrapes still being written to slow sockets: their bytes must not move.
        const open: Array<{ chunks: Buffer[]; text: string[]; end: () => void }> = [];
        const check = () => {
          for (const r of open) expect([Buffer.concat(r.chunks.slice(0, -1)).toString('utf8'), r.chunks.at(-1)!.toString('utf8')]).toEqual(r.text);
        };
        for (const o of ops) {
          if (o.kind === 'add') model.push({ slot: blocks.add(o.text), text: o.text });
          else if (o.kind === 'update' && model.length > 0) {
            const m = model[o.at % model.length]!;
            const [keep0, keep1] = o.keep;
            const partial: SlotText = { ...o.text, lines: [keep0 ? undefined : o.text.lines[0], keep1 ? undefined : o.text.lines[1]] };
            m.text = {
              lines: [keep0 ? m.text.lines[0] : o.text.lines[0], keep1 ? m.text.lines[1] : o.text.lines[1]],
              since: keep1 ? m.text.since : o.text.since,
              ascii: ascii([keep0 ? m.text.lines[0]! : o.text.lines[0]!, keep1 ? m.text.lines[1]! : o.text.lines[1]!]),
            };
            blocks.update(m.slot, partial);
          } else if (o.kind === 'remove' && model.length > 0) {
            const [m] = model.splice(o.at % model.length, 1);
            blocks.remove(m!.slot);
          } else if (o.kind === 'read') {
            expect(read(blocks, o.now)).toEqual(expected(model, o.now));
          } else if (o.kind === 'open') {
            const r = blocks.read(o.now);
            const chunks: Buffer[] = [];
            r.chunks(0, chunks);
            chunks.push(r.timed(0));
            const text = expected(model, o.now);
            expect([Buffer.concat(chunks.slice(0, -1)).toString('utf8'), chunks.at(-1)!.toString('utf8')]).toEqual(text);
            open.push({ chunks, text, end: r.end });
          } else if (o.kind === 'close' && open.length > 0) {
            const [r] = open.splice(o.at % open.length, 1);
            r!.end();
            r!.end();
          }
          check();
        }
        expect(read(blocks, 1e9)).toEqual(expected(model, 1e9));
      }),
      { seed: 20261127, numRuns: 80 },
    );
  });

  it('rebuilds a block once half of it waits, so a poll cycle does not pile up strings until the next scrape', () => {
    const blocks = new RenderedBlocks(1, 0, 8);
    const one = (s: string): SlotText => ({ lines: [`${s}\n`], since: [], ascii: true });
    const slots = Array.from({ length: 8 }, (_, i) => blocks.add(one(`a${i}`)));
    // Adding rebuilt the block at 4 and 8 waiting slots: nothing waits now.
    expect(slots.every((s) => s.pending === undefined)).toBe(true);
    for (let i = 0; i < 3; i++) blocks.update(slots[i]!, one(`b${i}`));
    expect(slots.filter((s) => s.pending !== undefined)).toHaveLength(3);
    blocks.update(slots[3]!, one('b3'));
    expect(slots.filter((s) => s.pending !== undefined)).toHaveLength(0);
    // The same slot updated twice counts once.
    blocks.update(slots[4]!, one('c4'));
    blocks.update(slots[4]!, one('d4'));
    expect(slots[4]!.pending).toBeDefined();
    expect(readStatic(blocks)).toBe('b0\nb1\nb2\nb3\nd4\na5\na6\na7\n');
  });

  it('keeps multi-byte label values intact when neighbours are copied from the old buffer', () => {
    const blocks = new RenderedBlocks(1);
    const t = (line: string): SlotText => ({ lines: [line], since: [], ascii: false });
    const a = blocks.add(t('a{v="日本"} 1\n'));
    blocks.add(t('b{v="ü"} 1\n'));
    readStatic(blocks);
    blocks.update(a, t('a{v="日本語"} 2\n'));
    expect(readStatic(blocks)).toBe('a{v="日本語"} 2\nb{v="ü"} 1\n');
  });

  it('keeps the same Buffer for a column whose bytes did not change, so what is cached against it stays valid', () => {
    const blocks = new RenderedBlocks(2);
    const t = (a: string, b: string): SlotText => ({ lines: [`${a}\n`, `${b}\n`], since: [], ascii: true });
    const x = blocks.add(t('x 1', 'xs 1'));
    const y = blocks.add(t('y 1', 'ys 1'));
    const columns = () => {
      const r = blocks.read(0);
      const out: Buffer[][] = [[], []];
      r.chunks(0, out[0]!);
      r.chunks(1, out[1]!);
      r.end();
      return out.map((c) => c[0]);
    };
    const [first0, first1] = columns();
    blocks.update(x, t('x 2', 'xs 1'));
    blocks.update(y, t('y 1', 'ys 1'));
    const [second0, second1] = columns();
    expect(second0!.toString()).toBe('x 2\ny 1\n');
    expect(second0).not.toBe(first0);
    expect(second1).toBe(first1);
    // A removal that leaves a column's bytes as they were (z had no line in it) keeps that Buffer, and the
    // block still knows where every remaining export's bytes are.
    const z = blocks.add({ lines: ['z 1\n', ''], since: [], ascii: true });
    const [, third1] = columns();
    blocks.remove(z);
    blocks.update(y, t('y 3', 'ys 1'));
    const [fourth0, fourth1] = columns();
    expect(fourth1).toBe(third1);
    expect(fourth0!.toString()).toBe('x 2\ny 3\n');
    blocks.update(x, t('x 2', 'xs 9'));
    expect(columns().map((c) => c!.toString())).toEqual(['x 2\ny 3\n', 'xs 9\nys 1\n']);
  });
});
