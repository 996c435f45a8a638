import { describe, expect, it } from 'vitest';
import { encodePathSegment, showLogsExportStatusUrl } from '../../src/clouddc/url.js';

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
});
