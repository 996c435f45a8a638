import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { givenBody, JSON_TYPE, type BodySpec } from './bodies.js';
import type { Reply } from './scenario.js';

/** How the CloudDC simulator writes one answer. */

export type Sendable = Exclude<Reply, { kind: 'hang' }>;

export function answer(status: number, body: BodySpec): Reply {
  return { kind: 'answer', status, body, delayMs: 0 };
}

export function hookFailed(err: unknown): Reply {
  const msg = err instanceof Error ? err.message : String(err);
  return answer(500, givenBody({ error_code: 'iMetal.0099', error_msg: `simulator authenticate hook threw: ${msg}` }));
}

export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown }).then === 'function';
}

export function send(res: ServerResponse<IncomingMessage>, requestId: string, r: Sendable): void {
  // The client may have given up while a delay ran.
  if (res.destroyed || res.writableEnded) return;
  if (r.kind === 'reset') {
    // Promise more bytes than are sent, so the client sees a truncated body, not a short valid one.
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': 512, 'x-request-id': requestId });
    res.write('{"export_id":"', () => res.socket?.destroy());
    return;
  }
  const headers: OutgoingHttpHeaders = {
    'content-type': r.body.contentType,
    'content-length': Buffer.byteLength(r.body.text),
    'x-request-id': requestId,
    server: 'api-gateway',
  };
  if (r.retryAfter !== undefined) headers['retry-after'] = r.retryAfter;
  res.writeHead(r.status, headers);
  res.end(r.body.text);
}
