import { request } from 'undici';
import type { ExportKey } from '../../src/simulator/index.js';

export const PROJECT = '0123456789abcdef0123456789abcdef';
export const SERVER = '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8';
export const T0 = Date.parse('2025-03-20T02:48:06Z');

export function key(exportId: string, serverId = SERVER, projectId = PROJECT): ExportKey {
  return { projectId, serverId, exportId };
}

/** The path the exporter builds: every segment percent-encoded. */
export function exportPath(k: ExportKey): string {
  const enc = encodeURIComponent;
  return `/v1/${enc(k.projectId)}/physicalservers/${enc(k.serverId)}/logs/exports/${enc(k.exportId)}`;
}

export interface Got {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json(): unknown;
}

export async function get(baseUrl: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  const res = await request(baseUrl + path, { method: method as 'GET', headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** A mutable clock: tests move time instead of sleeping. */
export function fakeClock(start = T0): { now: () => number; advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}
