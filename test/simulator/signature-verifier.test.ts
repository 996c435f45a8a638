import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import { verifySignature, type IncomingSignedRequest } from '../../src/simulator/signature-verifier.js';

// Test vectors from docs/clouddc-api.md#aksk-signing, replayed as the requests the gateway would receive.
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'ExampleSecretKey0000000000000000000000001';
const NOW = new Date('2025-03-20T02:48:06Z');
const HOST = 'clouddc.cn-east-3.myhuaweicloud.com';
const PROJECT = '0123456789abcdef0123456789abcdef';
const EXPORT_PATH = `/v1/${PROJECT}/physicalservers/6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8/logs/exports/1`;
const LIST_PATH = `/v1/${PROJECT}/physicalservers?manage_state=in-use&limit=100&marker=a%20b%2Fc`;
const EXTRA = { 'content-type': 'application/json', 'x-project-id': PROJECT };
const SIGNED_EXTRA = 'content-type;host;x-project-id;x-sdk-date';

const vectors = [
  { id: 'V1', rawPath: EXPORT_PATH, extra: {}, signed: 'host;x-sdk-date', sig: '27c1ed7d2033737fe6b6ce5f744b535a562bec494dbdd92ca93a8cee31080bf2' },
  { id: 'V2', rawPath: EXPORT_PATH, extra: EXTRA, signed: SIGNED_EXTRA, sig: '6f11e2583e31c2e49a11ddd31748bec420f77f7de7ab4142ac7ba057aff86e66' },
  { id: 'V3', rawPath: LIST_PATH, extra: {}, signed: 'host;x-sdk-date', sig: '159363047d6b385c429203810b9a1ba7a5dc9aaa210a793c17c3ad8e6970106d' },
  { id: 'V4', rawPath: LIST_PATH, extra: EXTRA, signed: SIGNED_EXTRA, sig: 'e64db532f60b79004e0de5e37fa9c80d76f4ad33ea933320dba8fdbe9e23dfeb' },
];

const secrets = (ak: string): string | undefined => (ak === AK ? SK : undefined);

function vectorRequest(v: (typeof vectors)[number]): IncomingSignedRequest {
  return {
    method: 'GET',
    rawPath: v.rawPath,
    body: '',
    headers: {
      ...v.extra,
      host: HOST,
      'x-sdk-date': '20250320T024806Z',
      'user-agent': 'unsigned/1.0',
      authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${v.signed}, Signature=${v.sig}`,
    },
  };
}

/** What node:http would hand the simulator for a request the client signed and sent. */
function signedRequest(
  url: URL,
  opts: { method?: string; body?: string; date?: Date; headers?: Record<string, string>; sk?: string } = {},
): IncomingSignedRequest {
  const method = opts.method ?? 'GET';
  const given = opts.headers ?? {};
  const added = signRequest({ method, url, headers: given, body: opts.body, accessKey: AK, secretKey: opts.sk ?? SK, date: opts.date ?? NOW });
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries({ ...given, ...added })) headers[k.toLowerCase()] = v;
  return { method, rawPath: url.pathname + url.search, headers, body: opts.body ?? '' };
}

describe('verifySignature accepts', () => {
  it.each(vectors)('test vector $id', (v) => {
    expect(verifySignature(vectorRequest(v), secrets, NOW)).toEqual({ ok: true, accessKey: AK });
  });

  it('header values delivered as arrays and up to 15 minutes of skew', () => {
    const req = vectorRequest(vectors[0]!);
    req.headers['x-sdk-date'] = ['20250320T024806Z'];
    expect(verifySignature(req, secrets, new Date(NOW.getTime() + 15 * 60_000)).ok).toBe(true);
    expect(verifySignature(req, secrets, new Date(NOW.getTime() - 15 * 60_000)).ok).toBe(true);
  });

  const weirdSegment = fc.oneof(
    fc.constantFrom('a b', 'c/d', '~', '*', 'ü', '😀', '%', '%2F', "!'()", '+', ';', '=', '@', ':', ''),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const anyString = fc.oneof(weirdSegment, fc.string({ maxLength: 6 }));

  it('whatever the signer produces for random paths, queries, headers and bodies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(weirdSegment, fc.boolean()), { maxLength: 5 }),
        fc.array(fc.tuple(anyString, anyString), { maxLength: 5 }),
        fc.boolean(),
        fc.record({ method: fc.constantFrom('GET', 'POST', 'delete'), body: anyString, port: fc.constantFrom('', ':443', ':8443') }),
        (segments, query, withExtra, { method, body, port }) => {
          const url = new URL(`https://${HOST}${port}/`);
          // Encoded segments keep their `/` inside; raw ones let the URL parser apply its own escaping.
          url.pathname = '/' + segments.map(([s, encode]) => (encode ? encodeURIComponent(s) : s)).join('/');
          for (const [name, value] of query) url.searchParams.append(name, value);
          const req = signedRequest(url, { method, body, headers: withExtra ? EXTRA : {} });
          const result = verifySignature(req, secrets, NOW);
          expect(result, `${req.rawPath} ${JSON.stringify(result)}`).toEqual({ ok: true, accessKey: AK });
        },
      ),
      { seed: 20250320, numRuns: 500 },
    );
  });

  it('queries written with %20 rather than +, and with lower-case escapes', () => {
    const url = new URL(`https://${HOST}/v1/x?b=a%20b&a=%2a&c=~`);
    const req = signedRequest(url);
    req.rawPath = '/v1/x?b=a+b&a=%2A&c=%7E';
    expect(verifySignature(req, secrets, NOW).ok).toBe(true);
  });

  it('temporary credentials with a security token', () => {
    const url = new URL(`https://${HOST}${EXPORT_PATH}`);
    const added = signRequest({ method: 'GET', url, headers: {}, accessKey: AK, secretKey: SK, date: NOW, securityToken: 'tok' });
    const req: IncomingSignedRequest = {
      method: 'GET',
      rawPath: url.pathname,
      body: '',
      headers: { host: HOST, 'x-sdk-date': added['X-Sdk-Date'], authorization: added['Authorization'], 'x-security-token': 'tok' },
    };
    expect(verifySignature(req, secrets, NOW).ok).toBe(true);
    req.headers['x-security-token'] = 'other';
    expect(verifySignature(req, secrets, NOW)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});

describe('verifySignature rejects', () => {
  const url = new URL(`https://${HOST}${LIST_PATH}`);
  const mismatch = { ok: false, reason: 'signature_mismatch', message: 'Incorrect IAM authentication information: verify aksk signature fail' };

  it('a tampered path or query', () => {
    for (const rawPath of [EXPORT_PATH, LIST_PATH.replace('limit=100', 'limit=101'), LIST_PATH.replace('%20', '%2B')]) {
      const req = { ...signedRequest(url), rawPath };
      expect(verifySignature(req, secrets, NOW)).toEqual(mismatch);
    }
  });

  it('a tampered signed header, method or body', () => {
    const req = signedRequest(url, { method: 'POST', body: '{"a":1}', headers: EXTRA });
    expect(verifySignature({ ...req, headers: { ...req.headers, 'x-project-id': 'f'.repeat(32) } }, secrets, NOW)).toEqual(mismatch);
    expect(verifySignature({ ...req, headers: { ...req.headers, host: 'evil.example' } }, secrets, NOW)).toEqual(mismatch);
    expect(verifySignature({ ...req, method: 'PUT' }, secrets, NOW)).toEqual(mismatch);
    expect(verifySignature({ ...req, body: '{"a":2}' }, secrets, NOW)).toEqual(mismatch);
  });

  it('a wrong secret key', () => {
    expect(verifySignature(signedRequest(url, { sk: `${SK}x` }), secrets, NOW)).toEqual(mismatch);
  });

  it('an unknown access key', () => {
    expect(verifySignature(signedRequest(url), () => undefined, NOW)).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('a clock skew of 16 minutes either way', () => {
    for (const offset of [16, -16]) {
      const req = signedRequest(url, { date: new Date(NOW.getTime() + offset * 60_000) });
      expect(verifySignature(req, secrets, NOW)).toEqual({
        ok: false,
        reason: 'clock_skew',
        message: 'Incorrect IAM authentication information: the request date is out of range',
      });
    }
  });

  it('a missing Authorization header', () => {
    const { authorization: _, ...headers } = signedRequest(url).headers;
    expect(verifySignature({ ...signedRequest(url), headers }, secrets, NOW)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifySignature({ ...signedRequest(url), headers: { ...headers, authorization: ' ' } }, secrets, NOW)).toMatchObject({ reason: 'missing' });
  });

  const good = signedRequest(url).headers['authorization'] as string;
  it.each([
    ['another scheme', 'Bearer abc'],
    ['no fields', 'SDK-HMAC-SHA256'],
    ['missing signature', good.replace(/, Signature=.*$/, '')],
    ['non-hex signature', good.replace(/Signature=.{4}/, 'Signature=zzzz')],
    ['short signature', good.slice(0, -2)],
    ['unsigned date', good.replace('host;x-sdk-date', 'host')],
    ['upper-case header name', good.replace('host;', 'Host;')],
    ['signed header absent from the request', good.replace('host;', 'host;x-project-id;')],
    ['garbage', 'SDK-HMAC-SHA256 ,,,==='],
  ])('a garbled Authorization header: %s', (_, authorization) => {
    const req = signedRequest(url);
    expect(verifySignature({ ...req, headers: { ...req.headers, authorization } }, secrets, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([undefined, '2025-03-20T02:48:06Z', '20250231T024806Z', '20251320T024806Z'])('a bad X-Sdk-Date (%s)', (date) => {
    const req = signedRequest(url);
    expect(verifySignature({ ...req, headers: { ...req.headers, 'x-sdk-date': date } }, secrets, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
