import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  sdkDate,
  sha256Hex,
  signRequest,
  stringToSign,
} from '../../../src/clouddc/auth/aksk-signer.js';

// Vectors V1–V4 and the Huawei example come from docs/clouddc-api.md#aksk-signing.
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'ExampleSecretKey0000000000000000000000001';
const DATE = new Date('2025-03-20T02:48:06Z');
const HOST = 'clouddc.cn-east-3.myhuaweicloud.com';
const PROJECT = '0123456789abcdef0123456789abcdef';
const SERVER = '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8';
const EXPORT_PATH = `/v1/${PROJECT}/physicalservers/${SERVER}/logs/exports/1`;
const LIST_PATH = `/v1/${PROJECT}/physicalservers?manage_state=in-use&limit=100&marker=a%20b%2Fc`;
const EXTRA = { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT };
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const vectors = [
  {
    id: 'V1',
    path: EXPORT_PATH,
    headers: {},
    hash: 'a65c11484d4ed3557242fb967a38b7bc06372f759ca3655fa4fe976817b67704',
    auth: 'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-sdk-date, Signature=27c1ed7d2033737fe6b6ce5f744b535a562bec494dbdd92ca93a8cee31080bf2',
  },
  {
    id: 'V2',
    path: EXPORT_PATH,
    headers: EXTRA,
    hash: '2dda6ff27d0858c0706d3e38a5657c1e538e31c12db9605018156c80a1215df3',
    auth: 'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=6f11e2583e31c2e49a11ddd31748bec420f77f7de7ab4142ac7ba057aff86e66',
  },
  {
    id: 'V3',
    path: LIST_PATH,
    headers: {},
    hash: '3ce2313a499d814eb48d389f802354cad9e0a5400ee0c232fa8c332ceae907b2',
    auth: 'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-sdk-date, Signature=159363047d6b385c429203810b9a1ba7a5dc9aaa210a793c17c3ad8e6970106d',
  },
  {
    id: 'V4',
    path: LIST_PATH,
    headers: EXTRA,
    hash: 'c87346a0e0d0b91681d30ae5a681ee34d487d755ee6afebb95c94b829559666d',
    auth: 'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=e64db532f60b79004e0de5e37fa9c80d76f4ad33ea933320dba8fdbe9e23dfeb',
  },
];

function vectorCanonical(path: string, extra: Record<string, string>): string {
  const url = new URL(`https://${HOST}${path}`);
  const headers: Record<string, string> = { ...extra, host: HOST, 'X-Sdk-Date': '20250320T024806Z' };
  return canonicalRequest({
    method: 'GET',
    path: url.pathname,
    query: url.search,
    headers,
    signedHeaders: Object.keys(headers).map((h) => h.toLowerCase()),
    body: '',
  });
}

describe('AK/SK signer test vectors', () => {
  it.each(vectors)('$id: canonical request hash and Authorization header', ({ path, headers, hash, auth }) => {
    expect(sha256Hex(vectorCanonical(path, headers))).toBe(hash);
    const out = signRequest({ method: 'GET', url: new URL(`https://${HOST}${path}`), headers, accessKey: AK, secretKey: SK, date: DATE });
    expect(out).toEqual({ 'X-Sdk-Date': '20250320T024806Z', Authorization: auth });
  });

  it('V1 canonical request, byte for byte', () => {
    expect(vectorCanonical(EXPORT_PATH, {})).toBe(`GET\n${EXPORT_PATH}/\n\nhost:${HOST}\nx-sdk-date:20250320T024806Z\n\nhost;x-sdk-date\n${EMPTY_SHA}`);
  });

  it('V3 canonical query', () => {
    expect(canonicalQuery('?manage_state=in-use&limit=100&marker=a%20b%2Fc')).toBe('limit=100&manage_state=in-use&marker=a%20b%2Fc');
  });

  it("Huawei's worked example: string to sign to signature", () => {
    const toSign = 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a';
    expect(computeSignature(toSign, 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc')).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(stringToSign('20191115T033655Z', 'x')).toBe(`SDK-HMAC-SHA256\n20191115T033655Z\n${sha256Hex('x')}`);
  });
});

describe('canonicalUri', () => {
  it('always ends in exactly one trailing slash', () => {
    expect(canonicalUri('/v1/x')).toBe('/v1/x/');
    expect(canonicalUri('/v1/x/')).toBe('/v1/x/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('')).toBe('/');
  });

  it('re-encodes each decoded segment per RFC 3986', () => {
    expect(canonicalUri('/a%20b/c%2fd/~x*/%7E')).toBe('/a%20b/c%2Fd/~x%2A/~/');
    expect(canonicalUri('/%C3%BC/ü/😀')).toBe('/%C3%BC/%C3%BC/%F0%9F%98%80/');
    expect(canonicalUri("/!'()+,;=:@$&")).toBe('/%21%27%28%29%2B%2C%3B%3D%3A%40%24%26/');
  });

  it('keeps stray percent signs and invalid UTF-8 bytes instead of throwing', () => {
    expect(canonicalUri('/a%zz/%E2%82')).toBe('/a%25zz/%E2%82/');
  });
});

describe('canonicalQuery', () => {
  it('encodes space as %20, * as %2A, keeps ~ and the = of empty values', () => {
    expect(canonicalQuery('q=a%20b&s=*&t=~&e=&flag')).toBe('e=&flag=&q=a%20b&s=%2A&t=~');
    expect(canonicalQuery('q=a+b')).toBe('q=a%20b');
  });

  it('sorts by name in character-code order (uppercase first), then by value', () => {
    expect(canonicalQuery('b=2&a=9&B=1&a=1&_=0')).toBe('B=1&_=0&a=1&a=9&b=2');
  });

  it('accepts URLSearchParams and an empty query', () => {
    expect(
      canonicalQuery(
        new URLSearchParams([
          ['k y', 'v*~'],
          ['ü', ''],
        ]),
      ),
    ).toBe('k%20y=v%2A~&%C3%BC=');
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery(new URLSearchParams())).toBe('');
  });
});

describe('sdkDate', () => {
  it('formats basic ISO 8601 UTC without milliseconds', () => {
    expect(sdkDate(new Date('2025-03-20T02:48:06.789Z'))).toBe('20250320T024806Z');
  });
});

/** Recomputes the signature from the primitives so host/token handling can be checked independently. */
function expectedSignature(headers: Record<string, string>, url: URL, date = '20250320T024806Z'): string {
  const canonical = canonicalRequest({
    method: 'GET',
    path: url.pathname,
    query: url.search,
    headers: { ...headers, 'x-sdk-date': date },
    signedHeaders: [...Object.keys(headers), 'x-sdk-date'],
    body: '',
  });
  return computeSignature(stringToSign(date, canonical), SK);
}

describe('signRequest', () => {
  it.each([
    ['https://h.example/p', 'h.example'],
    ['https://h.example:443/p', 'h.example'],
    ['https://h.example:8443/p', 'h.example:8443'],
    ['http://h.example:80/p', 'h.example'],
    ['http://h.example:443/p', 'h.example:443'],
    ['http://127.0.0.1:39123/p', '127.0.0.1:39123'],
  ])('signs host of %s as %s', (raw, host) => {
    const url = new URL(raw);
    const out = signRequest({ method: 'GET', url, headers: {}, accessKey: AK, secretKey: SK, date: DATE });
    expect(out['Authorization']).toContain(`Signature=${expectedSignature({ host }, url)}`);
  });

  it('signs and returns the security token of temporary credentials', () => {
    const url = new URL(`https://${HOST}${EXPORT_PATH}`);
    const out = signRequest({ method: 'GET', url, headers: {}, accessKey: AK, secretKey: SK, date: DATE, securityToken: 'tok' });
    expect(out['X-Security-Token']).toBe('tok');
    expect(out['Authorization']).toContain('SignedHeaders=host;x-sdk-date;x-security-token,');
    expect(out['Authorization']).toContain(`Signature=${expectedSignature({ host: HOST, 'x-security-token': 'tok' }, url)}`);
  });

  it('treats header names case-insensitively and ignores headers it does not sign', () => {
    const url = new URL(`https://${HOST}${EXPORT_PATH}`);
    const base = { method: 'GET', url, accessKey: AK, secretKey: SK, date: DATE };
    const a = signRequest({ ...base, headers: { 'content-type': 'application/json', 'x-project-id': PROJECT, 'User-Agent': 'x' } });
    expect(a).toEqual(signRequest({ ...base, headers: EXTRA }));
  });

  it('signs the body hash', () => {
    const url = new URL(`https://${HOST}${EXPORT_PATH}`);
    const base = { method: 'POST', url, headers: {}, accessKey: AK, secretKey: SK, date: DATE };
    expect(signRequest({ ...base, body: '{}' })['Authorization']).not.toBe(signRequest(base)['Authorization']);
  });

  it('never reveals the secret key in errors or output', () => {
    const url = new URL(`https://${HOST}/`);
    const base = { method: 'GET', url, headers: {}, secretKey: SK, date: DATE };
    expect(JSON.stringify(signRequest({ ...base, accessKey: AK }))).not.toContain(SK);
    for (const bad of [
      { ...base, accessKey: 'a, b' },
      { ...base, accessKey: AK, date: new Date(NaN) },
    ]) {
      let message = '';
      try {
        signRequest(bad);
      } catch (e) {
        message = String(e) + JSON.stringify(e);
      }
      expect(message).toMatch(/AK\/SK signing/);
      expect(message).not.toContain(SK);
    }
  });
});
