import type { ExportKey } from '../domain/export.js';

/** encodeURIComponent leaves !'()* alone; RFC 3986 reserves them, and the AK/SK canonical URI escapes them. */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The ShowLogsExportStatus URL, below any path prefix of `endpoint` (a gateway or proxy may mount the API
 * under one). Undefined when an id is "." or "..": WHATWG URLs resolve those (even percent-encoded) as dot
 * segments, so such a request would silently address a different resource.
 */
export function showLogsExportStatusUrl(endpoint: string, key: ExportKey): URL | undefined {
  const ids = [key.projectId, key.serverId, key.exportId];
  if (ids.some((id) => id === '.' || id === '..')) return undefined;
  const [project, server, exportId] = ids.map(encodePathSegment) as [string, string, string];
  const base = new URL(endpoint);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(
    `${prefix}/v1/${project}/physicalservers/${server}/logs/exports/${exportId}`,
    base.origin,
  );
}
