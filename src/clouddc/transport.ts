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
  readonly signal: AbortSignal;
  /** Monotonic ms for request durations; injectable so golden-file tests get stable histograms. */
  readonly clock?: () => number;
}

type AbortCause = 'timeout' | 'aborted';

/**
 * One GET, never throwing. The timeout is our own timer over headers and body together: undici's
 * headersTimeout/bodyTimeout restart on every chunk, so a server trickling bytes would never trip them.
 */
export async function sendOnce(req: AttemptRequest): Promise<AttemptOutcome> {
  const clock = req.clock ?? (() => performance.now());
  const started = clock();
  const elapsed = () => (clock() - started) / 1000;
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  const abortWith = (c: AbortCause) => {
    if (cause !== undefined) return;
    cause = c;
    controller.abort();
  };
  const timer = setTimeout(() => abortWith('timeout'), req.timeoutMs);
  const onAbort = () => abortWith('aborted');
  req.signal.addEventListener('abort', onAbort, { once: true });
  if (req.signal.aborted) onAbort();

  let body: Dispatcher.ResponseData['body'] | undefined;
  const destroyBody = () => body?.destroy();
  controller.signal.addEventListener('abort', destroyBody, { once: true });
  try {
    const res = await req.dispatcher.request({
      path: req.path,
      method: 'GET',
      headers: req.headers,
      signal: controller.signal,
    });
    body = res.body;
    if (controller.signal.aborted) body.destroy();
    const text = await readCapped(body, res.headers);
    return { kind: 'response', status: res.statusCode, headers: res.headers, text, durationSeconds: elapsed() };
  } catch (err) {
    body?.destroy();
    if (cause === 'timeout') {
      return failure('timeout', `no complete answer within ${req.timeoutMs} ms`, elapsed());
    }
    if (cause === 'aborted') return failure('timeout', 'request aborted', elapsed());
    return classify(err, elapsed());
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
    controller.signal.removeEventListener('abort', destroyBody);
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  headers: IncomingHttpHeaders,
): Promise<string | undefined> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > MAX_BODY_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

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
