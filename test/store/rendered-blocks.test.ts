import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RenderedBlocks, type Slot } from '../../src/store/rendered-blocks.js';

/** Every family's bytes, concatenated, as the store would serve them. */
function read(blocks: RenderedBlocks, families: number): string[] {
  blocks.refresh();
  return Array.from({ length: families }, (_, f) => {
    const out: Buffer[] = [];
    blocks.chunks(f, out);
    return Buffer.concat(out).toString('utf8');
  });
}

const ascii = (lines: readonly string[]): boolean => lines.every((l) => /^[\x00-\x7f]*$/.test(l));
const line = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => `x{v="${s}"} 1\n`));

describe('RenderedBlocks', () => {
  it('always serves exactly what a plain list of the current lines would (random adds, updates, removals)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), lines: fc.tuple(line, line) }),
      fc.record({ kind: fc.constant('update' as const), at: fc.nat(), lines: fc.tuple(line, line) }),
      fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('read' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 700 }), (ops) => {
        const blocks = new RenderedBlocks(2);
        const model: Array<{ slot: Slot; lines: string[] }> = [];
        for (const o of ops) {
          if (o.kind === 'add') model.push({ slot: blocks.add([...o.lines], ascii(o.lines)), lines: [...o.lines] });
          else if (o.kind === 'update' && model.length > 0) {
            const m = model[o.at % model.length]!;
            m.lines = [...o.lines];
            blocks.update(m.slot, [...o.lines], ascii(o.lines));
          } else if (o.kind === 'remove' && model.length > 0) {
            const [m] = model.splice(o.at % model.length, 1);
            blocks.remove(m!.slot);
          } else if (o.kind === 'read') {
            expect(read(blocks, 2)).toEqual([0, 1].map((f) => model.map((m) => m.lines[f]).join('')));
          }
        }
        expect(read(blocks, 2)).toEqual([0, 1].map((f) => model.map((m) => m.lines[f]).join('')));
      }),
      { seed: 20261127, numRuns: 60 },
    );
  });

  it('keeps multi-byte label values intact when neighbours are copied from the old buffer', () => {
    const blocks = new RenderedBlocks(1);
    const a = blocks.add(['a{v="日本"} 1\n']);
    blocks.add(['b{v="ü"} 1\n']);
    read(blocks, 1);
    blocks.update(a, ['a{v="日本語"} 2\n']);
    expect(read(blocks, 1)).toEqual(['a{v="日本語"} 2\nb{v="ü"} 1\n']);
  });
});
