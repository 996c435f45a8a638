import { crc32 } from 'node:zlib';

/**
 * The log bundle DownloadServerLogs streams: a real .tar.gz that `tar -tzf` lists, generated on the fly so that a
 * multi-gigabyte bundle costs no memory. The gzip member holds only stored (uncompressed) deflate blocks, which makes
 * its exact length known before the first byte is sent (Content-Length, and a client progress bar) and keeps a 1 GB
 * bundle cheap to produce: the only per-byte work is a copy and the CRC.
 */

export interface BundleSpec {
  /** Size of the bundle's main member, `dump/bmc/sel.log`; the download is a few hundred bytes longer. */
  readonly logBytes: number;
  /** Tar entry times, ms. */
  readonly mtimeMs: number;
  /** Written into `dump/manifest.json`. */
  readonly serverId: string;
  readonly exportId: string;
}

const BLOCK = 512;
const STORED_MAX = 65_535;
const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;
const STORED_HEADER = 5;

/** 8 GiB − 1: the most an ustar octal size field holds; larger sizes use the GNU base-256 form. */
const OCTAL_SIZE_MAX = 8 * 1024 ** 3 - 1;

function manifest(spec: BundleSpec): Buffer {
  const created = new Date(spec.mtimeMs).toISOString();
  return Buffer.from(`${JSON.stringify({ server_id: spec.serverId, export_id: spec.exportId, created_at: created, files: ['bmc/sel.log'] })}\n`);
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function tarLength(spec: BundleSpec): number {
  return BLOCK + padded(manifest(spec).length) + BLOCK + padded(spec.logBytes) + 2 * BLOCK;
}

/** Exact byte length of the .tar.gz for `spec`. */
export function bundleLength(spec: BundleSpec): number {
  const tar = tarLength(spec);
  return GZIP_HEADER + Math.ceil(tar / STORED_MAX) * STORED_HEADER + tar + GZIP_TRAILER;
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}

/** One ustar header block for a regular file. */
export function tarHeader(name: string, size: number, mtimeMs: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  if (size <= OCTAL_SIZE_MAX) {
    writeOctal(h, 124, 12, size);
  } else {
    h[124] = 0x80;
    h.writeBigUInt64BE(BigInt(size), 128);
  }
  writeOctal(h, 136, 12, Math.floor(mtimeMs / 1000));
  h.fill(0x20, 148, 156);
  h.write('0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** Looks like a BMC system event log; one 64 KiB pattern is reused for every chunk of the member. */
const PATTERN = (() => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 64 * 1024; i++) {
    const line = `${String(i).padStart(6, '0')} | SEL | Temperature #0x${(i % 256).toString(16).padStart(2, '0')} | Upper Non-critical going high | Asserted\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, 64 * 1024);
})();

function* tarPieces(spec: BundleSpec): Generator<Buffer> {
  const m = manifest(spec);
  yield tarHeader('dump/manifest.json', m.length, spec.mtimeMs);
  yield m;
  yield Buffer.alloc(padded(m.length) - m.length);
  yield tarHeader('dump/bmc/sel.log', spec.logBytes, spec.mtimeMs);
  for (let left = spec.logBytes; left > 0; left -= PATTERN.length) yield PATTERN.subarray(0, Math.min(left, PATTERN.length));
  yield Buffer.alloc(padded(spec.logBytes) - spec.logBytes + 2 * BLOCK);
}

/** The bundle's bytes, in pieces of at most ~64 KiB; nothing is kept between pieces but one stored block. */
export function* bundleChunks(spec: BundleSpec): Generator<Buffer> {
  const total = tarLength(spec);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  header.writeUInt32LE(Math.floor(spec.mtimeMs / 1000) >>> 0, 4);
  yield header;
  let crc = 0;
  let emitted = 0;
  let block = Buffer.allocUnsafe(STORED_MAX);
  let fill = 0;
  const flush = (): Buffer[] => {
    emitted += fill;
    const head = Buffer.alloc(STORED_HEADER);
    head[0] = emitted === total ? 1 : 0;
    head.writeUInt16LE(fill, 1);
    head.writeUInt16LE(~fill & 0xffff, 3);
    const data = block.subarray(0, fill);
    crc = crc32(data, crc);
    block = Buffer.allocUnsafe(STORED_MAX);
    fill = 0;
    return [head, data];
  };
  for (const piece of tarPieces(spec)) {
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(STORED_MAX - fill, piece.length - offset);
      piece.copy(block, fill, offset, offset + n);
      fill += n;
      offset += n;
      if (fill === STORED_MAX) yield* flush();
    }
  }
  if (fill > 0) yield* flush();
  const trailer = Buffer.alloc(GZIP_TRAILER);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 2 ** 32, 4);
  yield trailer;
}
