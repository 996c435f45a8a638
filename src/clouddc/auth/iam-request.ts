import type { Dispatcher } from 'undici';
import { parseErrorBody, sanitise } from '../error-body.js';
import { redactor } from '../response.js';

/** POST /v3/auth/tokens with a password (docs/clouddc-api.md#iam-token). */
export interface IamTokenRequest {
  /** IAM base URL ending in /v3. */
  readonly authUrl: string;
  readonly userName: string;
  readonly password: string;
  readonly domainName: string;
  readonly project: { readonly id: string } | { readonly name: string };
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

export type IamTokenResult =
  | { readonly ok: true; readonly token: string; readonly expiresAt: number; readonly issuedAt?: number }
  /** `refused`: IAM answered with a 4xx, so asking again soon will not help (and may lock the user). */
  | { readonly ok: false; readonly refused: boolean; readonly message: string };

const MAX_BODY = 1024 * 1024;
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export async function requestIamToken(req: IamTokenRequest): Promise<IamTokenResult> {
  const url = `${req.authUrl.replace(/\/+$/, '')}/auth/tokens?nocatalog=true`;
  const where = safeHost(req.authUrl);
  // Anything IAM echoes back must not carry the password; the token is handled as a secret too.
  let redact = redactor([req.password]);
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: req.userName, password: req.password, domain: { name: req.domainName } } },
      },
      scope: { project: req.project },
    },
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  try {
    // Loaded here, not at the top: a token request happens about once a day, and `--config.check`, which loads
    // the auth methods to validate them, then never pays for undici (about 0.2 s to import).
    const { request } = await import('undici');
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf8', accept: 'application/json' },
      body,
      // One request a day needs no keep-alive, and a socket IAM closed while idle would fail the refresh.
      reset: true,
      signal: controller.signal,
      ...(req.dispatcher && { dispatcher: req.dispatcher }),
    });
    const text = await readCapped(res.body);
    const subject = res.headers['x-subject-token'];
    const token = Array.isArray(subject) ? subject[0] : subject;
    if (token !== undefined) redact = redactor([req.password, token]);
    if (res.statusCode !== 201 && res.statusCode !== 200) {
      const detail = iamError(redact(text ?? ''), contentType(res.headers['content-type']));
      const message = `IAM at ${where} answered HTTP ${res.statusCode}${detail ? ` (${redact(detail)})` : ''}`;
      return { ok: false, refused: res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429, message };
    }
    if (token === undefined || !HEADER_SAFE.test(token)) {
      return { ok: false, refused: false, message: `IAM at ${where} answered without a usable X-Subject-Token header` };
    }
    const times = tokenTimes(text);
    if (times === undefined) {
      return { ok: false, refused: false, message: `IAM at ${where} answered without a valid token.expires_at` };
    }
    return { ok: true, token, ...times };
  } catch (err) {
    if (controller.signal.aborted) {
      return { ok: false, refused: false, message: `IAM at ${where} did not answer within ${req.timeoutMs} ms` };
    }
    return { ok: false, refused: false, message: `IAM at ${where} unreachable: ${redact(describe(err))}` };
  } finally {
    clearTimeout(timer);
  }
}

function tokenTimes(text: string | undefined): { expiresAt: number; issuedAt?: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  const token = (parsed as { token?: { expires_at?: unknown; issued_at?: unknown } } | null)?.token;
  const expiresAt = parseIamTime(token?.expires_at);
  if (expiresAt === undefined) return undefined;
  const issuedAt = parseIamTime(token?.issued_at);
  return issuedAt === undefined ? { expiresAt } : { expiresAt, issuedAt };
}

/** "2020-01-04T09:05:22.701000Z": microseconds are cut to ms so no Date.parse leniency is relied on. */
export function parseIamTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const ms = `${m[2] ?? ''}000`.slice(0, 3);
  const parsed = Date.parse(`${m[1]}.${ms}${m[3]}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > MAX_BODY) {
      body.destroy();
      return undefined;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Keystone-style `{"error":{"code","message","title"}}`, or the gateway's flat error_code/error_msg. */
function iamError(text: string, type: string | undefined): string {
  let nested: unknown;
  try {
    nested = (JSON.parse(text) as { error?: unknown } | null)?.error;
  } catch {
    nested = undefined;
  }
  const parsed = typeof nested === 'object' && nested !== null ? parseErrorBody(JSON.stringify(nested), 'application/json') : parseErrorBody(text, type);
  return [parsed.errorCode, parsed.message].filter(Boolean).join(': ');
}

function contentType(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Host only: an auth_url could carry user:password@ or a query. */
function safeHost(authUrl: string): string {
  try {
    return new URL(authUrl).host;
  } catch {
    return 'the configured auth_url';
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  const message = err instanceof Error ? sanitise(err.message, 160) : '';
  return [typeof code === 'string' ? code : undefined, message].filter(Boolean).join(': ') || 'unknown error';
}
