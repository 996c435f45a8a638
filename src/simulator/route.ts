import type { ExportKey } from './types.js';

/**
 * Matches GET /v1/{project_id}/physicalservers/{id}/logs/exports/{export_id}, ignoring any query, and decodes
 * the parameters. A trailing slash, an empty segment, broken percent-encoding or an encoded "/" counts as no match,
 * so that client encoding bugs surface as 404s in tests.
 */
export function matchExportStatus(method: string | undefined, target: string): ExportKey | undefined {
  if (method !== 'GET') return undefined;
  const q = target.indexOf('?');
  const parts = (q < 0 ? target : target.slice(0, q)).split('/');
  if (parts.length !== 8) return undefined;
  const [empty, v1, projectId, servers, serverId, logs, exports, exportId] = parts;
  if (empty !== '' || v1 !== 'v1' || servers !== 'physicalservers' || logs !== 'logs' || exports !== 'exports') {
    return undefined;
  }
  const [p, s, e] = [projectId, serverId, exportId].map(decodeSegment);
  if (p === undefined || s === undefined || e === undefined) return undefined;
  return { projectId: p, serverId: s, exportId: e };
}

/** The three log-export operations the simulator serves (see docs/collecting-logs.md). */
export type Route =
  | { readonly op: 'status'; readonly key: ExportKey }
  | { readonly op: 'start'; readonly key: Omit<ExportKey, 'exportId'> }
  | { readonly op: 'download'; readonly key: ExportKey }
  /** ListServers, ListAlarms, ListEvents (see fleet.ts), with the query as sent. */
  | { readonly op: 'servers' | 'alarms' | 'events'; readonly projectId: string; readonly query: URLSearchParams };

/**
 * ShowLogsExportStatus (GET …/exports/{export_id}), ExportServerLogs (POST …/logs/exports) and DownloadServerLogs
 * (GET …/exports/{export_id}/content), with the same strictness as matchExportStatus.
 */
export function matchRoute(method: string | undefined, target: string): Route | undefined {
  const status = matchExportStatus(method, target);
  if (status !== undefined) return { op: 'status', key: status };
  if (method !== 'POST' && method !== 'GET') return undefined;
  const q = target.indexOf('?');
  const parts = (q < 0 ? target : target.slice(0, q)).split('/');
  if (method === 'POST' && parts.length === 7) {
    const [empty, v1, projectId, servers, serverId, logs, exports] = parts;
    if (empty !== '' || v1 !== 'v1' || servers !== 'physicalservers' || logs !== 'logs' || exports !== 'exports') return undefined;
    const [p, s] = [projectId, serverId].map(decodeSegment);
    return p === undefined || s === undefined ? undefined : { op: 'start', key: { projectId: p, serverId: s } };
  }
  if (method === 'GET' && (parts.length === 4 || parts.length === 5)) return matchFleet(parts, q < 0 ? '' : target.slice(q + 1));
  if (method === 'GET' && parts.length === 9 && parts[8] === 'content') {
    const key = matchExportStatus('GET', parts.slice(0, 8).join('/'));
    return key === undefined ? undefined : { op: 'download', key };
  }
  return undefined;
}

/** GET /v1/{project_id}/physicalservers, …/physicalservers/alarms and …/physicalservers/events. */
function matchFleet(parts: readonly string[], query: string): Route | undefined {
  const [empty, v1, projectId, servers, which] = parts;
  if (empty !== '' || v1 !== 'v1' || servers !== 'physicalservers') return undefined;
  const op = which === undefined ? 'servers' : which === 'alarms' || which === 'events' ? which : undefined;
  const p = decodeSegment(projectId);
  return op === undefined || p === undefined ? undefined : { op, projectId: p, query: new URLSearchParams(query) };
}

/**
 * The gateway routes the decoded path, so a `%2F` is a separator there like "/": an id holding one matches no route
 * (404 APIGW.0101), as against the real gateway, instead of reaching the export as if it were routable.
 */
function decodeSegment(segment: string | undefined): string | undefined {
  if (!segment) return undefined;
  try {
    const decoded = decodeURIComponent(segment);
    return decoded.includes('/') ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/** Decoded ids may contain '/', so the separator is NUL, which no real id holds. */
export function keyId(key: ExportKey): string {
  return `${key.projectId}\u0000${key.serverId}\u0000${key.exportId}`;
}
