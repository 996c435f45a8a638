import { createHash, createHmac } from 'node:crypto';

/**
 * Huawei API Gateway AK/SK signing ("SDK-HMAC-SHA256"), see docs/clouddc-api.md#aksk-signing.
 * Written on node:crypto instead of importing the official core SDK, which would pull in ~23 MB of
 * dependencies and has header-casing quirks (§4b "SDK quirks").
 */

export const ALGORITHM = 'SDK-HMAC-SHA256';

/** Headers we sign when the caller supplies them; host and x-sdk-date are always signed. */
const OPTIONAL_SIGNED_HEADERS = ['content-type', 'x-project-id', 'x-security-token'] as const;

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    out += UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 3986 encoding of a decoded string's UTF-8 bytes; unlike encodeURIComponent it also escapes !'()*. */
export function rfc3986Encode(value: string): string {
  return encodeBytes(Buffer.from(value, 'utf8'));
}

/**
 * Decodes a wire path segment to bytes. Works on bytes rather than decodeURIComponent so that a stray
 * `%` or a percent-encoded invalid UTF-8 sequence survives unchanged instead of throwing.
 */
function decodeSegmentBytes(segment: string): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < segment.length) {
    const hex = segment.slice(i + 1, i + 3);
    if (segment[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      parts.push(Buffer.from([parseInt(hex, 16)]));
      i += 3;
    } else {
      const cp = segment.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      parts.push(Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.concat(parts);
}

/**
 * Canonical URI from the path as sent on the wire. Segments are decoded one by one so that an encoded
 * `/` (%2F) stays inside its segment; the result must end in `/` even when the sent path does not.
 */
export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeBytes(decodeSegmentBytes(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function compareCodePoints(a: string, b: string): number {
  // Code point order equals the UTF-8 byte order the Go SDK uses; plain `<` on UTF-16 differs for astral chars.
  const aa = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const bb = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(aa.length, bb.length); i++) {
    const d = (aa[i] ?? 0) - (bb[i] ?? 0);
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}

/**
 * Canonical query string. A string is parsed with form-urlencoded rules (`+` is a space), as the gateway
 * and the Go/Python SDKs do. Pairs are sorted by decoded name, then decoded value, like the official SDKs.
 */
export function canonicalQuery(search: string | URLSearchParams): string {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const pairs = [...params.entries()];
  pairs.sort(([an, av], [bn, bv]) => compareCodePoints(an, bn) || compareCodePoints(av, bv));
  return pairs.map(([name, value]) => `${rfc3986Encode(name)}=${rfc3986Encode(value)}`).join('&');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalRequestInput {
  method: string;
  path: string;
  query: string | URLSearchParams;
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string | Buffer;
}

function lowerCaseKeys(headers: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export function canonicalRequest(req: CanonicalRequestInput): string {
  const headers = lowerCaseKeys(req.headers);
  const names = [...new Set(req.signedHeaders.map((h) => h.toLowerCase()))].sort();
  const headerLines = names.map((name) => {
    const value = headers.get(name);
    if (value === undefined) throw new Error(`AK/SK signing: signed header "${name}" has no value`);
    // The doc requires trimmed values, and HTTP stacks strip surrounding whitespace on the wire anyway.
    return `${name}:${value.trim()}\n`;
  });
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query), headerLines.join(''), names.join(';'), sha256Hex(req.body)].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** The SK is the HMAC key as-is; Huawei uses no key derivation. */
export function computeSignature(toSign: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(toSign, 'utf8').digest('hex');
}

export function sdkDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('AK/SK signing: invalid date');
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export interface SignRequestInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  accessKey: string;
  secretKey: string;
  date: Date;
  securityToken?: string;
}

/** Returns only the headers to add to the request; the caller merges them and sends exactly `body`. */
export function signRequest(input: SignRequestInput): Record<string, string> {
  // A comma or whitespace in the AK would make the Authorization header unparseable on the server.
  if (!/^[^\s,=]+$/.test(input.accessKey)) throw new Error('AK/SK signing: access key is empty or malformed');
  if (input.secretKey.length === 0) throw new Error('AK/SK signing: secret key is empty');

  const date = sdkDate(input.date);
  const given = lowerCaseKeys(input.headers);
  const headers: Record<string, string> = {};
  for (const name of OPTIONAL_SIGNED_HEADERS) {
    const value = given.get(name);
    if (value !== undefined) headers[name] = value;
  }
  if (input.securityToken !== undefined) headers['x-security-token'] = input.securityToken;
  // URL.host already drops the scheme's default port, matching what HTTP clients send as Host.
  headers['host'] = input.url.host;
  headers['x-sdk-date'] = date;

  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: input.method,
    path: input.url.pathname,
    query: input.url.search,
    headers,
    signedHeaders,
    body: input.body ?? '',
  });
  const signature = computeSignature(stringToSign(date, canonical), input.secretKey);

  const out: Record<string, string> = {
    'X-Sdk-Date': date,
    Authorization: `${ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
  if (input.securityToken !== undefined) out['X-Security-Token'] = input.securityToken;
  return out;
}
