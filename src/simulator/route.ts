import type { ExportKey } from './types.js';

/**
 * Matches GET /v1/{project_id}/physicalservers/{id}/logs/exports/{export_id}, ignoring any query, and decodes
 * the parameters. A trailing slash, an empty segment or broken percent-encoding counts as no match, so that
 * client encoding bugs surface as 404s in tests.
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

function decodeSegment(segment: string | undefined): string | undefined {
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Decoded ids may contain '/', so the separator is NUL, which no real id holds. */
export function keyId(key: ExportKey): string {
  return `${key.projectId}\u0000${key.serverId}\u0000${key.exportId}`;
}
