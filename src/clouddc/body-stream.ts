import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import { buildConnector, Client, type Dispatcher } from 'undici';

/**
 * A request whose answer is a stream with back-pressure, safe against a peer that closes under back-pressure.
 *
 * undici 7 (the line that runs on Node 20) asserts `!paused` when the socket ends or is reset while its parser is
 * paused, which it is whenever the body's reader is slower than the network (a disk): the AssertionError is thrown
 * from a socket event handler and ends the process (nodejs/undici#5360; fixed only in undici 8, which needs Node 22).
 * Two guards make that assertion unreachable:
 * - the socket's 'end' is seen first by our listener, which resumes the parser (it only drains what the socket still
 *   holds, so memory stays bounded) and forbids pausing again on that socket, so undici finishes an unpaused parser;
 * - a reset while paused reaches undici as an ordinary socket error instead of the ECONNRESET branch that finishes the
 *   parser: the body fails, as a reset body should.
 */

export interface StreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

export interface StreamRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query exactly as sent. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly headersTimeoutMs: number;
  /** No byte for this long while we are ready to read one: the answer fails with UND_ERR_BODY_TIMEOUT. */
  readonly idleTimeoutMs: number;
}

/** One connection at a time to `origin`, guarded as above; requests on it go through `request()`. */
export class GuardedClient {
  readonly #client: Client;
  /** The request being answered: requests on one client run one after another (no pipelining). */
  #active: StreamHandler | undefined;

  constructor(origin: string, connectTimeoutMs: number) {
    const connect = buildConnector({ timeout: connectTimeoutMs });
    this.#client = new Client(origin, {
      pipelining: 1,
      connect: (opts, callback) =>
        connect(opts, (...args) => {
          if (args[0] === null) this.#guard(args[1]);
          callback(...args);
        }),
    });
  }

  #guard(socket: Socket | TLSSocket): void {
    // Prepended, so they run before undici's own listeners on the same events.
    socket.prependListener('end', () => this.#active?.peerClosed());
    socket.prependListener('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' && this.#active?.paused === true) err.code = 'ECONNRESET_UNDER_BACKPRESSURE';
    });
  }

  request(req: StreamRequest): Promise<StreamResponse> {
    return new Promise((resolve, reject) => {
      const handler = new StreamHandler(req, resolve, reject, () => {
        if (this.#active === handler) this.#active = undefined;
      });
      this.#active = handler;
      if (req.signal?.aborted) {
        handler.onResponseError(undefined, abortError(req.signal));
        return;
      }
      this.#client.dispatch(
        {
          method: req.method,
          path: req.path,
          headers: req.headers,
          ...(req.body !== undefined && { body: req.body }),
          headersTimeout: req.headersTimeoutMs,
          bodyTimeout: req.idleTimeoutMs,
        },
        handler,
      );
    });
  }

  close(): Promise<void> {
    return this.#client.close().catch(() => this.#client.destroy());
  }

  destroy(): Promise<void> {
    return this.#client.destroy();
  }
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('request aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown });
}

class StreamHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #body: Readable | undefined;
  #settled = false;
  #done = false;
  #peerClosed = false;
  readonly #onAbort = (): void => this.#controller?.abort(abortError(this.req.signal as AbortSignal));

  constructor(
    private readonly req: StreamRequest,
    private readonly resolve: (r: StreamResponse) => void,
    private readonly reject: (err: Error) => void,
    private readonly finished: () => void,
  ) {
    req.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get paused(): boolean {
    return this.#controller?.paused === true;
  }

  /** The peer ended the connection: drain the rest without pausing (it is bounded by what the socket holds). */
  peerClosed(): void {
    this.#peerClosed = true;
    if (this.#controller?.paused === true) this.#controller.resume();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.req.signal?.aborted === true) this.#onAbort();
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the answer follows
    const body = new Readable({
      read: () => {
        if (controller.paused) controller.resume();
      },
      destroy: (err, callback) => {
        if (!this.#done) controller.abort(err ?? new Error('answer not read to the end'));
        this.#end();
        callback(err);
      },
    });
    // The error stays on the stream for its reader; until one is attached (the caller may still be opening the file),
    // an 'error' event without a listener would end the process.
    body.on('error', () => undefined);
    this.#body = body;
    this.#settled = true;
    this.resolve({ status: statusCode, headers, body });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#body?.push(chunk) === false && !this.#peerClosed) controller.pause();
  }

  onResponseEnd(): void {
    this.#done = true;
    this.#end();
    this.#body?.push(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.#done = true;
    this.#end();
    if (!this.#settled) {
      this.#settled = true;
      this.reject(err);
    } else {
      this.#body?.destroy(err);
    }
  }

  #end(): void {
    this.req.signal?.removeEventListener('abort', this.#onAbort);
    this.finished();
  }
}
