import type { ExportKey } from '../domain/export.js';

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/**
 * The Accept header of every CloudDC call, as the official SDKs send it (the Python SDK `*\/*`, the Go SDK none):
 * DownloadServerLogs answers a byte stream and ExportServerLogs documents its 202 as application/octet-stream, so
 * `application/json` would let a strict gateway answer 406.
 */
export const ACCEPT = '*/*';

/** encodeURIComponent leaves !'()* alone; RFC 3986 reserves them, and the AK/SK canonical URI escapes them. */
export function encodePathSegment(value: string): string {
  // Ids are nearly always unreserved characters only, which both steps below leave as they are.
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The ShowLogsExportStatus URL, below any path prefix of `endpoint` (a gateway or proxy may mount the API
 * under one). Undefined when an id is "." or "..": WHATWG URLs resolve those (even percent-encoded) as dot
 * segments, so such a request would silently address a different resource.
 */
export function showLogsExportStatusUrl(endpoint: string, key: ExportKey): URL | undefined {
  const { origin, pathFor } = statusPaths(endpoint);
  const path = pathFor(key);
  return path === undefined ? undefined : new URL(path, origin);
}

export interface StatusPaths {
  /** Scheme, host and port of the endpoint. */
  readonly origin: string;
  /**
   * The path of showLogsExportStatusUrl, built without a URL object: it is already in the form URL parsing gives
   * (the prefix comes from a parsed URL, the segments are percent-encoded), so `new URL(path, origin).pathname`
   * is `path` again. Undefined for dot segments.
   */
  readonly pathFor: (key: ExportKey) => string | undefined;
}

/** The endpoint parsed once, for a client that needs a path per poll. */
export function statusPaths(endpoint: string): StatusPaths {
  const base = new URL(endpoint);
  const prefix = base.pathname.replace(/\/+$/, '');
  return {
    origin: base.origin,
    pathFor: (key) => {
      const { projectId, serverId, exportId } = key;
      if (isDotSegment(projectId) || isDotSegment(serverId) || isDotSegment(exportId)) return undefined;
      return `${prefix}/v1/${encodePathSegment(projectId)}/physicalservers/${encodePathSegment(serverId)}/logs/exports/${encodePathSegment(exportId)}`;
    },
  };
}

function isDotSegment(id: string): boolean {
  return id === '.' || id === '..';
}
