import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodePathSegment, showLogsExportStatusUrl, statusPaths } from '../../src/clouddc/url.js';

const k = { projectId: 'p', serverId: 's', exportId: 'e' };

describe('showLogsExportStatusUrl', () => {
  it.each([
    ['https://clouddc.cn-east-3.myhuaweicloud.com', 'https://clouddc.cn-east-3.myhuaweicloud.com/v1/p/physicalservers/s/logs/exports/e'],
    ['https://gw.example/clouddc', 'https://gw.example/clouddc/v1/p/physicalservers/s/logs/exports/e'],
    ['https://gw.example/clouddc//', 'https://gw.example/clouddc/v1/p/physicalservers/s/logs/exports/e'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/v1/p/physicalservers/s/logs/exports/e'],
  ])('%s', (endpoint, expected) => {
    expect(showLogsExportStatusUrl(endpoint, k)?.href).toBe(expected);
  });

  it('encodes each segment so "/" and spaces stay inside it', () => {
    const url = showLogsExportStatusUrl('https://h', { projectId: 'a/b', serverId: 'ü ?#', exportId: "it's(1)*!" });
    expect(url?.pathname).toBe('/v1/a%2Fb/physicalservers/%C3%BC%20%3F%23/logs/exports/it%27s%281%29%2A%21');
    expect(url?.search).toBe('');
  });

  it('refuses dot segments, which URL resolution would swallow', () => {
    expect(showLogsExportStatusUrl('https://h', { ...k, serverId: '..' })).toBeUndefined();
    expect(showLogsExportStatusUrl('https://h', { ...k, exportId: '.' })).toBeUndefined();
    expect(showLogsExportStatusUrl('https://h', { ...k, exportId: '...' })?.pathname).toMatch(/\/\.\.\.$/);
  });

  it('encodePathSegment leaves only RFC 3986 unreserved characters', () => {
    expect(encodePathSegment("AZaz09-_.~!*'() /")).toBe('AZaz09-_.~%21%2A%27%28%29%20%2F');
  });

  it('the path built without URL parsing is what URL parsing gives, so it can be sent as is', () => {
    const endpoints = ['https://h', 'https://gw.example/a b/', 'http://127.0.0.1:8080/x/%2e%2e/y//', 'https://h/ü/(1)?q=1#f'];
    fc.assert(
      fc.property(
        fc.constantFrom(...endpoints),
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        fc.string({ unit: 'binary' }),
        (endpoint, projectId, serverId, exportId) => {
          const k2 = { projectId, serverId, exportId };
          const { origin, pathFor } = statusPaths(endpoint);
          const path = pathFor(k2);
          if (path === undefined) return [projectId, serverId, exportId].some((id) => id === '.' || id === '..');
          const url = new URL(path, origin);
          return url.pathname === path && url.search === '' && url.origin === new URL(endpoint).origin;
        },
      ),
    );
  });

  it("encodePathSegment matches encodeURIComponent plus !'()* for any string", () => {
    const reference = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii' }), (v) => encodePathSegment(v) === reference(v)));
    fc.assert(fc.property(fc.string(), (v) => encodePathSegment(v) === reference(v)));
  });
});
