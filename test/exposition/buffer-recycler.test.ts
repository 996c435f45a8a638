import { describe, expect, it } from 'vitest';
import { BufferRecycler } from '../../src/exposition/buffer-recycler.js';

describe('BufferRecycler', () => {
  it('reuses a Buffer once the reads that began before its retirement end, though newer reads stay open', () => {
    const r = new BufferRecycler([{ bytes: Infinity, count: Infinity }]);
    const buf = r.take(1000);
    const older = r.beginRead();
    r.retire(buf);
    const newer = r.beginRead();
    // The older read may still be writing it.
    expect(r.take(1000)).not.toBe(buf);
    older();
    // Only the newer read is open, and it began after the retirement: it never saw the Buffer.
    expect(r.take(1000)).toBe(buf);
    newer();
  });

  it('keeps a retired Buffer while any read older than the retirement is open, in whatever order reads end', () => {
    const r = new BufferRecycler([{ bytes: Infinity, count: Infinity }]);
    const buf = r.take(1000);
    const a = r.beginRead();
    const b = r.beginRead();
    r.retire(buf);
    a();
    expect(r.take(1000)).not.toBe(buf);
    // Overlapping scrapes without end: new reads keep starting while b is open.
    const c = r.beginRead();
    b();
    expect(r.take(1000)).toBe(buf);
    c();
  });
});
