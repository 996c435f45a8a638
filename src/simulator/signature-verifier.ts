import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The simulator's check of AK/SK signatures (docs/clouddc-api.md#aksk-signing). Deliberately re-derived from the spec
 * rather than importing src/clouddc/auth/aksk-signer.ts: if both sides shared code, a bug in it would sign
 * and verify consistently and the client tests would never notice.
 */

export type VerifyFailureReason = 'missing' | 'malformed' | 'unknown_key' | 'signature_mismatch' | 'clock_skew';

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: VerifyFailureReason; message: string };

export interface IncomingSignedRequest {
  method: string;
  /** Path plus query exactly as on the request line. */
  rawPath: string;
  /** Lower-case names, as node:http delivers them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const PREFIX = 'Incorrect IAM authentication information: ';

/*
 * Only the signature-mismatch text is documented (APIGW.0301 "verify aksk signature fail"). The other
 * wordings are our assumption of what the gateway says; clients must key on the status and error_code.
 */
const MESSAGES: Record<VerifyFailureReason, string> = {
  missing: `${PREFIX}x-auth-token not found`,
  malformed: `${PREFIX}the authorization header is malformed`,
  unknown_key: `${PREFIX}the access key does not exist`,
  signature_mismatch: `${PREFIX}verify aksk signature fail`,
  clock_skew: `${PREFIX}the request date is out of range`,
};

function fail(reason: VerifyFailureReason): VerifyResult {
  return { ok: false, reason, message: MESSAGES[reason] };
}

function header(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const match = /^\s*SDK-HMAC-SHA256\s+(.*)$/.exec(value);
  if (!match?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signedHeaders || !signature) return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return undefined;
  const names = signedHeaders.split(';');
  if (names.some((n) => !/^[a-z0-9-]+$/.test(n)) || !names.includes('x-sdk-date')) return undefined;
  return { access, signedHeaders: names, signature: signature.toLowerCase() };
}

function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  // Date.parse rolls some impossible dates over (e.g. the 31st of February), so insist on a round trip.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '') !== value.slice(0, 15)) {
    return undefined;
  }
  return ms;
}

const hex = (byte: number): string => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Rewrites the encoded segment token by token, so no decode step can throw on a stray % or invalid UTF-8. */
function normaliseSegment(segment: string): string {
  return segment.replace(/%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-_.~]/gu, (token) => {
    if (token.length === 3 && token.startsWith('%')) {
      const byte = parseInt(token.slice(1), 16);
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(ch) ? ch : hex(byte);
    }
    return [...Buffer.from(token, 'utf8')].map(hex).join('');
  });
}

function rebuildUri(path: string): string {
  const uri = path.split('/').map(normaliseSegment).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** Form-urlencoded decoding: `+` is a space, escapes are bytes, invalid UTF-8 becomes U+FFFD. */
function formDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = text.codePointAt(i) ?? 0;
      const ch = cp === 0x2b ? ' ' : String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += String.fromCodePoint(cp).length;
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => hex(c.charCodeAt(0)));
}

function rebuildQuery(query: string): string {
  const pairs = query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return { name: formDecode(name), value: formDecode(value) };
    });
  // Comparing UTF-8 bytes gives code point order, the order of the Go SDK's sort.Strings.
  const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
  pairs.sort((a, b) => Buffer.compare(bytes(a.name), bytes(b.name)) || Buffer.compare(bytes(a.value), bytes(b.value)));
  return pairs.map((p) => `${strictEncode(p.name)}=${strictEncode(p.value)}`).join('&');
}

export function verifySignature(req: IncomingSignedRequest, lookupSecret: (ak: string) => string | undefined, now: Date): VerifyResult {
  const authorization = header(req.headers, 'authorization');
  if (authorization === undefined || authorization.trim() === '') return fail('missing');
  const auth = parseAuthorization(authorization);
  if (!auth) return fail('malformed');

  const headerValues: string[] = [];
  for (const name of auth.signedHeaders) {
    const value = header(req.headers, name);
    if (value === undefined) return fail('malformed');
    headerValues.push(`${name}:${value.trim()}`);
  }
  const requestTime = parseSdkDate(header(req.headers, 'x-sdk-date')?.trim() ?? '');
  if (requestTime === undefined) return fail('malformed');

  const secret = lookupSecret(auth.access);
  if (secret === undefined) return fail('unknown_key');
  if (Math.abs(requestTime - now.getTime()) > MAX_SKEW_MS) return fail('clock_skew');

  const q = req.rawPath.indexOf('?');
  const path = q < 0 ? req.rawPath : req.rawPath.slice(0, q);
  const query = q < 0 ? '' : req.rawPath.slice(q + 1);
  const canonical =
    `${req.method.toUpperCase()}\n${rebuildUri(path)}\n${rebuildQuery(query)}\n` +
    `${headerValues.map((l) => `${l}\n`).join('')}\n${auth.signedHeaders.join(';')}\n` +
    createHash('sha256').update(req.body, 'utf8').digest('hex');
  const toSign = ['SDK-HMAC-SHA256', header(req.headers, 'x-sdk-date')?.trim() ?? '', createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const expected = createHmac('sha256', secret).update(toSign, 'utf8').digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('signature_mismatch');
  return { ok: true, accessKey: auth.access };
}
