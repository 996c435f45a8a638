import fc from 'fast-check';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine, GzipStitcher } from '../../src/exposition/gzip-stitch.js';

const chunk = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s.repeat(7))),
  fc.constant(Buffer.alloc(0)),
);

/** The deflate stream between the 10-byte header and the 8-byte trailer, decoded as one stream. */
function asOneMember(body: Buffer): { text: Buffer; crc: number; size: number } {
  expect([...body.subarray(0, 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
  return { text: inflateRawSync(body.subarray(10, body.length - 8)), crc: body.readUInt32LE(body.length - 8), size: body.readUInt32LE(body.length - 4) };
}

describe('GzipStitcher', () => {
  it('combines CRC-32s exactly as computing over the concatenation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }), (a, b) => {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
      }),
      { seed: 20261127, numRuns: 300 },
    );
    const big = Buffer.alloc(5_000_000, 'x');
    expect(crc32Combine(crc32('head'), crc32(big), big.length)).toBe(crc32(Buffer.concat([Buffer.from('head'), big])));
  });

  it('makes one gzip member of any chunks, whose CRC and size are right', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 20 }), async (chunks) => {
        const body = Buffer.concat(await new GzipStitcher().gzip(chunks));
        const whole = Buffer.concat(chunks);
        expect(gunzipSync(body).equals(whole)).toBe(true);
        const member = asOneMember(body);
        expect(member.text.equals(whole)).toBe(true);
        expect(member.crc).toBe(crc32(whole));
        expect(member.size).toBe(whole.length);
      }),
      { seed: 20261127, numRuns: 150 },
    );
  });

  it('compresses a chunk once and reuses its segment while the same chunk is served', async () => {
    const stitcher = new GzipStitcher();
    const stable = Buffer.from('clouddc_log_export_info{export_id="1"} 1\n'.repeat(500));
    const first = await stitcher.gzip([stable, Buffer.from('age 1\n')]);
    const second = await stitcher.gzip([stable, Buffer.from('age 2\n')]);
    // [header, stable's segment, the ages' segment, final block, trailer]
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(gunzipSync(Buffer.concat(second)).toString()).toBe(`${stable.toString()}age 2\n`);
  });
});
