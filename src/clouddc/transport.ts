import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { sanitise } from './error-body.js';

/** Far above any status document; a bigger body means something other than CloudDC is answering. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type AttemptOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      /** Undefined when the body exceeded MAX_BODY_BYTES; reading stopped there. */
      readonly text: string | undefined;
      readonly durationSeconds: number;
    }
  | {
      readonly kind: 'failure';
      readonly reason: 'timeout' | 'network';
      readonly message: string;
      readonly durationSeconds: number;
    };

export interface AttemptRequest {
  readonly dispatcher: Dispatcher;
  /** Path and query exactly as sent. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  /** Aborts the attempt; the caller's poll deadline or the client being closed. */
  readonly signal: AbortSignal | AbortHook;
  /** Monotonic ms for request durations; injectable so golden-file tests get stable histograms. */
  readonly clock?: () => number;
  /** Default MAX_BODY_BYTES; a page of 1,000 servers needs more than a status document. */
  readonly maxBodyBytes?: number;
}

/**
 * A cheaper stand-in for an AbortSignal, measurably so per poll: the client's per-poll scope (PollScope in poll-scope.ts,
 * which says what bench figure 2 measured without it).
 * It holds at most one listener, the attempt in flight.
 */
export interface AbortHook {
  readonly aborted: boolean;
  /** Sets the one function to call when the hook aborts; undefined removes it. */
  setAbortListener(listener: (() => void) | undefined): void;
}

type AbortCause = 'timeout' | 'aborted';

const defaultClock = (): number => performance.now();

function isAbortHook(signal: AbortSignal | AbortHook): signal is AbortHook {
  return typeof (signal as Partial<AbortHook>).setAbortListener === 'function';
}

/**
 * One GET, never throwing. The timeout is our own timer over headers and body together: undici's
 * headersTimeout/bodyTimeout restart on every chunk, so a server trickling bytes would never trip them.
 *
 * It talks to undici through dispatch() and a handler of its own rather than request(): no response stream,
 * no AbortSignal, no async resource per attempt, which roughly halves the CPU an attempt costs. The handler
 * collects the body itself, so the 1 MiB cap is checked on the Content-Length before reading and on every chunk.
 */
export function sendOnce(req: AttemptRequest): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    new AttemptHandler(req, resolve).start();
  });
}

class AttemptHandler implements Dispatcher.DispatchHandler {
  readonly #req: AttemptRequest;
  readonly #resolve: (outcome: AttemptOutcome) => void;
  readonly #clock: () => number;
  readonly #started: number;
  readonly #hook: AbortHook | undefined;
  readonly #signal: AbortSignal | undefined;
  #timer: NodeJS.Timeout | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #done = false;
  /** Why we cut the attempt short, once we did. */
  #cause: AbortCause | undefined;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #first: Buffer | undefined;
  #chunks: Buffer[] | undefined;
  #total = 0;

  constructor(req: AttemptRequest, resolve: (outcome: AttemptOutcome) => void) {
    this.#req = req;
    this.#resolve = resolve;
    this.#clock = req.clock ?? defaultClock;
    this.#started = this.#clock();
    if (isAbortHook(req.signal)) this.#hook = req.signal;
    else this.#signal = req.signal;
  }

  readonly #onAbort = (): void => this.#cut('aborted');

  start(): void {
    const { signal } = this.#req;
    if (signal.aborted) {
      this.#cause = 'aborted';
      this.#fail(new Error('request aborted'));
      return;
    }
    this.#timer = setTimeout(onTimeout, this.#req.timeoutMs, this);
    this.#hook?.setAbortListener(this.#onAbort);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    try {
      this.#req.dispatcher.dispatch({ path: this.#req.path, method: 'GET', headers: this.#req.headers }, this);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Ends the attempt now, whatever undici is doing: a queued request is refused as soon as it gets a socket. */
  #cut(cause: AbortCause): void {
    if (this.#done) return;
    this.#cause = cause;
    const reason = new Error(cause === 'timeout' ? 'attempt timed out' : 'attempt aborted');
    this.#fail(reason);
    this.#controller?.abort(reason);
  }

  timedOut(): void {
    this.#cut('timeout');
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#done) controller.abort(new Error(this.#cause === undefined ? 'attempt over' : `attempt ${this.#cause}`));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.#done || statusCode < 200) return; // 1xx: informational, the answer follows
    this.#status = statusCode;
    this.#headers = headers;
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > (this.#req.maxBodyBytes ?? MAX_BODY_BYTES)) this.#overCap(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return;
    this.#total += chunk.length;
    if (this.#total > (this.#req.maxBodyBytes ?? MAX_BODY_BYTES)) {
      this.#overCap(controller);
      return;
    }
    if (this.#first === undefined) this.#first = chunk;
    else (this.#chunks ??= [this.#first]).push(chunk);
  }

  onResponseEnd(): void {
    if (this.#done) return;
    // A BOM stays, as Buffer#toString keeps it.
    const text =
      this.#chunks !== undefined ? Buffer.concat(this.#chunks, this.#total).toString('utf8') : this.#first === undefined ? '' : this.#first.toString('utf8');
    this.#respond(text);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  /** A body past MAX_BODY_BYTES: the answer counts without it, and the connection is dropped rather than drained. */
  #overCap(controller: Dispatcher.DispatchController): void {
    this.#respond(undefined);
    controller.abort(new Error(`response body over ${this.#req.maxBodyBytes ?? MAX_BODY_BYTES} bytes`));
  }

  #respond(text: string | undefined): void {
    if (!this.#finish()) return;
    const durationSeconds = (this.#clock() - this.#started) / 1000;
    this.#resolve({ kind: 'response', status: this.#status, headers: this.#headers, text, durationSeconds });
  }

  #fail(err: unknown): void {
    if (!this.#finish()) return;
    const durationSeconds = (this.#clock() - this.#started) / 1000;
    if (this.#cause === 'timeout') {
      this.#resolve(failure('timeout', `no complete answer within ${this.#req.timeoutMs} ms`, durationSeconds));
    } else if (this.#cause === 'aborted') {
      this.#resolve(failure('timeout', 'request aborted', durationSeconds));
    } else {
      this.#resolve(classify(err, durationSeconds));
    }
  }

  /** True the first time: the attempt is over, its timer and listener go. */
  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#hook?.setAbortListener(undefined);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#first = undefined;
    this.#chunks = undefined;
    return true;
  }
}

/**
 * Timers run before I/O in each turn of the event loop. After a stall (a long GC, a slow synchronous
 * step) the timer and an answer that arrived in time are both ready; deferring the cut past this turn's
 * I/O lets the answer win, instead of counting a timeout the API did not cause.
 */
function onTimeout(handler: AttemptHandler): void {
  setImmediate(cutOnTimeout, handler);
}

function cutOnTimeout(handler: AttemptHandler): void {
  handler.timedOut();
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** Everything that is not a timeout is `network`: refused, reset, DNS, TLS, closed sockets, client misuse. */
function classify(err: unknown, durationSeconds: number): AttemptOutcome {
  const code = errorCode(err);
  const detail = err instanceof Error ? sanitise(err.message, 160) : '';
  const text = [code, detail].filter((s) => s !== '' && s !== undefined).join(': ') || 'unknown error';
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return failure('timeout', `timeout: ${text}`, durationSeconds);
  }
  return failure('network', `network error: ${text}`, durationSeconds);
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function failure(reason: 'timeout' | 'network', message: string, durationSeconds: number): AttemptOutcome {
  return { kind: 'failure', reason, message, durationSeconds };
}
