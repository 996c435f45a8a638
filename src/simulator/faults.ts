import type { ServerResponse } from 'node:http';
import { JSON_TYPE } from './bodies.js';

/**
 * Wire-level faults: answers whose damage is in how the bytes arrive, which a Behaviour (one Reply per request,
 * sent in one write) cannot express. Set per export with `Simulator.setFault`; while set, a fault answers every
 * request for that export instead of its behaviour, and does not advance the behaviour's request count.
 */
export type Fault =
  /**
   * 200 with a complete, valid status document (or `body`), Content-Length declared up front, written
   * `bytesPerTick` bytes (default 1) every `intervalMs`: a client whose timeout restarts on every chunk never
   * gives up.
   */
  | { readonly kind: 'trickle'; readonly intervalMs: number; readonly bytesPerTick?: number; readonly body?: string }
  /**
   * 200 claiming JSON with a body of `bytes` bytes, streamed as fast as the client reads. With `chunked` there is
   * no Content-Length, so a client can only find out by counting.
   */
  | { readonly kind: 'oversize'; readonly bytes: number; readonly chunked?: boolean }
  /** Destroys the connection as soon as the request has arrived: no status line, no byte of an answer. */
  | { readonly kind: 'drop' };

export function validateFault(f: Fault, where = 'fault'): void {
  const fail = (msg: string): never => {
    throw new RangeError(`${where}: ${msg}`);
  };
  switch (f.kind) {
    case 'trickle':
      if (!Number.isFinite(f.intervalMs) || f.intervalMs <= 0) fail('intervalMs must be a finite number > 0');
      if (f.bytesPerTick !== undefined && !(Number.isInteger(f.bytesPerTick) && f.bytesPerTick >= 1)) {
        fail('bytesPerTick must be an integer >= 1');
      }
      return;
    case 'oversize':
      if (!Number.isSafeInteger(f.bytes) || f.bytes < 0) fail('bytes must be a safe integer >= 0');
      return;
    case 'drop':
      return;
  }
}

/** What a trickle sends when no body is given: a status document any client accepts once it has all of it. */
export function trickleBody(exportId: string, nowMs: number): string {
  const created = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({ export_id: exportId, status: 'processing', percentage: 50, created_at: created });
}

const PAD_CHUNK = Buffer.alloc(64 * 1024, 0x20);

/**
 * Answers one request with `fault`. Every timer stops when the response closes (the client gave up, or the
 * simulator closed its connections), so a fault never outlives its socket.
 */
export function serveFault(res: ServerResponse, fault: Fault, requestId: string, exportId: string, nowMs: number): void {
  if (res.destroyed || res.writableEnded) return;
  switch (fault.kind) {
    case 'drop':
      res.socket?.destroy();
      return;
    case 'trickle': {
      const body = Buffer.from(fault.body ?? trickleBody(exportId, nowMs));
      const step = fault.bytesPerTick ?? 1;
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length, 'x-request-id': requestId });
      res.flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const end = Math.min(body.length, sent + step);
        res.write(body.subarray(sent, end));
        sent = end;
        if (sent >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, fault.intervalMs);
      res.once('close', () => clearInterval(timer));
      return;
    }
    case 'oversize': {
      const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'x-request-id': requestId };
      if (!fault.chunked) headers['content-length'] = fault.bytes;
      res.writeHead(200, headers);
      let left = fault.bytes;
      // An object that never closes: whatever a client reads of it, it cannot be a valid status document.
      const head = Buffer.from('{"pad":"');
      const pump = (): void => {
        while (left > 0 && !res.destroyed) {
          const chunk = left === fault.bytes ? head.subarray(0, Math.min(head.length, left)) : PAD_CHUNK.subarray(0, Math.min(PAD_CHUNK.length, left));
          left -= chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (left <= 0 && !res.destroyed) res.end();
      };
      pump();
      return;
    }
  }
}
