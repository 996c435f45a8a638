import type { Dispatcher } from 'undici';
import { parseErrorBody, sanitise, type ErrorBody } from '../error-body.js';
import { redactor } from '../response.js';
import { parseIamTime } from './iam-request.js';

/** Temporary AK/SK + security token, as the metadata service, pod identity and IAM hand them out. */
export interface TemporaryCredential {
  readonly access: string;
  readonly secret: string;
  readonly securityToken: string;
  /** expires_at as sent, Unix ms. */
  readonly expiresAt: number;
}

/** `refused`: the service answered 4xx (other than 429), so asking again soon will not help. */
export type CredentialResult =
  { readonly ok: true; readonly credential: TemporaryCredential } | { readonly ok: false; readonly refused: boolean; readonly message: string };

export interface CallInit {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Secrets sent with the call, never to be repeated from an answer. */
  readonly secrets: readonly string[];
  readonly dispatcher?: Dispatcher;
}

export type CallAnswer =
  | { readonly ok: true; readonly status: number; readonly text: string; header(name: string): string | undefined }
  | { readonly ok: false; readonly message: string };

const MAX_BODY = 256 * 1024;

/** One HTTP call to a credential service; never throws, and no answer or error text carries a secret we sent. */
export async function call(url: string, init: CallInit): Promise<CallAnswer> {
  const where = hostOf(url);
  const redact = redactor(init.secrets);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), init.timeoutMs);
  try {
    // Loaded on first use, as in iam-request.ts: --config.check never pays for undici.
    const { request } = await import('undici');
    const res = await request(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body !== undefined && { body: init.body }),
      // A few calls a day: a socket the service closed while idle must not fail the renewal.
      reset: true,
      signal: controller.signal,
      ...(init.dispatcher && { dispatcher: init.dispatcher }),
    });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buf.length;
      if (total > MAX_BODY) {
        res.body.destroy();
        return { ok: false, message: `${where} answered more than ${MAX_BODY} bytes` };
      }
      chunks.push(buf);
    }
    const headers = res.headers;
    return {
      ok: true,
      status: res.statusCode,
      text: Buffer.concat(chunks).toString('utf8'),
      header: (name) => {
        const v = headers[name.toLowerCase()];
        return Array.isArray(v) ? v[0] : v;
      },
    };
  } catch (err) {
    if (controller.signal.aborted) return { ok: false, message: `${where} did not answer within ${init.timeoutMs} ms` };
    const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
    const code = e?.code ?? e?.cause?.code;
    return {
      ok: false,
      message: `${where} unreachable: ${redact(typeof code === 'string' ? code : err instanceof Error ? sanitise(err.message, 160) : 'error')}`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A refusal or failure answer as a result: the error body's code and message, without any secret we sent. */
export function failed(what: string, answer: Extract<CallAnswer, { ok: true }>, secrets: readonly string[]): CredentialResult {
  const redact = redactor(secrets);
  const body = errorOf(answer.text, answer.header('content-type'));
  const detail = [body.errorCode, body.message].filter(Boolean).join(': ') || sanitise(answer.text, 200);
  const status = answer.status;
  return {
    ok: false,
    refused: status >= 400 && status < 500 && status !== 429,
    message: `${what} answered HTTP ${status}${detail ? ` (${redact(detail)})` : ''}`,
  };
}

/** The gateway's flat error_code/error_msg, or IAM's (and the agency services') Keystone-style `{"error": {...}}`. */
function errorOf(text: string, type: string | undefined): ErrorBody {
  let nested: unknown;
  try {
    nested = (JSON.parse(text) as { error?: unknown } | null)?.error;
  } catch {
    nested = undefined;
  }
  return typeof nested === 'object' && nested !== null ? parseErrorBody(JSON.stringify(nested), 'application/json') : parseErrorBody(text, type);
}

/** `{"credential": {"access", "secret", "securitytoken", "expires_at"}}`, the one shape all three services answer. */
export function parseCredential(what: string, text: string): CredentialResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, refused: false, message: `${what} answered something that is not JSON` };
  }
  const c = (parsed as { credential?: Record<string, unknown> } | null)?.credential;
  const word = (v: unknown) => (typeof v === 'string' && /^[\x21-\x7e]+$/.test(v) ? v : undefined);
  const access = word(c?.access);
  const secret = word(c?.secret);
  const securityToken = word(c?.securitytoken);
  const expiresAt = parseIamTime(c?.expires_at);
  const missing = Object.entries({ access, secret, securitytoken: securityToken, expires_at: expiresAt })
    .filter(([, v]) => v === undefined)
    .map(([k]) => `credential.${k}`);
  if (access === undefined || secret === undefined || securityToken === undefined || expiresAt === undefined) {
    return { ok: false, refused: false, message: `${what} answered without a usable ${missing.join(', ')}` };
  }
  return { ok: true, credential: { access, secret, securityToken, expiresAt } };
}

/** Host only: the URL could carry a path or query worth keeping out of logs. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured endpoint';
  }
}
