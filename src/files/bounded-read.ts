import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { describeFsError } from './fs-error.js';

/**
 * The one way the exporter reads a file, at start-up and at run time: regular files only (after following
 * links), at most a cap per kind, opened non-blocking so that a FIFO or device swapped in for a file is refused
 * at once instead of hanging or filling memory. The type is checked before opening (opening some devices has
 * effects) and again on the opened descriptor (the path may be swapped in between).
 */

const MiB = 1024 * 1024;

/**
 * What each kind of file may weigh at most. A config of 50,000 exports, one line each with a name and two labels,
 * is about 7.5 MB; parsing YAML takes about 100 times the file size in memory, so the cap also bounds that.
 */
export const FILE_LIMITS = {
  config: 8 * MiB,
  webConfig: 1 * MiB,
  secret: 64 * 1024,
  tls: 1 * MiB,
  state: 64 * MiB,
} as const;
export type FileKind = keyof typeof FILE_LIMITS;

export type BoundedRead =
  { readonly ok: true; readonly data: Buffer; readonly signature: string } | { readonly ok: false; readonly reason: string; readonly code?: string };

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function typeOf(s: Stats): string {
  if (s.isDirectory()) return 'is a directory';
  if (s.isFIFO()) return 'not a regular file (a FIFO)';
  if (s.isCharacterDevice()) return 'not a regular file (a character device)';
  if (s.isBlockDevice()) return 'not a regular file (a block device)';
  if (s.isSocket()) return 'not a regular file (a socket)';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/** Why a file with these stats is refused, or undefined. */
export function refusal(s: Stats, kind: FileKind): string | undefined {
  if (!s.isFile()) return typeOf(s);
  const cap = FILE_LIMITS[kind];
  if (s.size > cap) return `larger than the ${formatBytes(cap)} allowed for a ${describeKind(kind)} (${formatBytes(s.size)})`;
  return undefined;
}

function describeKind(kind: FileKind): string {
  return { config: 'config file', webConfig: 'web config file', secret: 'secret file', tls: 'TLS file', state: 'state file' }[kind];
}

/** Identifies one version of a file: a rewrite or a swapped link changes it. */
export function signatureOf(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

const fail = (err: unknown): BoundedRead => {
  const code = (err as { code?: unknown } | null)?.code;
  return { ok: false, reason: describeFsError(err), ...(typeof code === 'string' && { code }) };
};

// One read per path at a time: a second caller (a watch tick, a poll) shares the read in flight.
const inFlight = new Map<string, Promise<BoundedRead>>();

export function readBounded(path: string, kind: FileKind): Promise<BoundedRead> {
  const key = `${kind}\0${path}`;
  let running = inFlight.get(key);
  if (running === undefined) {
    running = readOnce(path, kind).finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return running;
}

async function readOnce(path: string, kind: FileKind): Promise<BoundedRead> {
  try {
    const before = refusal(await stat(path), kind);
    if (before !== undefined) return { ok: false, reason: before };
    const handle = await open(path, FLAGS);
    try {
      const s = await handle.stat();
      const why = refusal(s, kind);
      if (why !== undefined) return { ok: false, reason: why };
      const buf = bufferFor(s, kind);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return settle(buf, got, s, kind);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return fail(err);
  }
}

/** The same, synchronously: for the TLS handshake path, which must pick a certificate before it continues. */
export function readBoundedSync(path: string, kind: FileKind): BoundedRead {
  try {
    const before = refusal(statSync(path), kind);
    if (before !== undefined) return { ok: false, reason: before };
    const fd = openSync(path, FLAGS);
    try {
      const s = fstatSync(fd);
      const why = refusal(s, kind);
      if (why !== undefined) return { ok: false, reason: why };
      const buf = bufferFor(s, kind);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, got);
        if (n === 0) break;
        got += n;
      }
      return settle(buf, got, s, kind);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return fail(err);
  }
}

/** One byte more than allowed tells a file that grew since fstat from one that did not. */
function bufferFor(s: Stats, kind: FileKind): Buffer {
  return Buffer.alloc(Math.min(s.size, FILE_LIMITS[kind]) + 1);
}

function settle(buf: Buffer, got: number, s: Stats, kind: FileKind): BoundedRead {
  const cap = FILE_LIMITS[kind];
  if (got > cap) return { ok: false, reason: `larger than the ${formatBytes(cap)} allowed for a ${describeKind(kind)}` };
  return { ok: true, data: buf.subarray(0, got), signature: signatureOf(s) };
}

/** Whether a file could be read now (type, size, permission), without reading it: undefined when it can. */
export async function checkReadable(path: string, kind: FileKind): Promise<string | undefined> {
  try {
    const why = refusal(await stat(path), kind);
    if (why !== undefined) return why;
    const handle = await open(path, FLAGS);
    await handle.close();
    return undefined;
  } catch (err) {
    return describeFsError(err);
  }
}
