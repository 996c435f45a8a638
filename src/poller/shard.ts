import { hostname } from 'node:os';
import type { ExporterConfig } from '../domain/config.js';
import type { ExportKey } from '../domain/export.js';

export interface Shard {
  readonly index: number;
  readonly total: number;
}

/**
 * FNV-1a over the three ids: stable across processes, versions and platforms (unlike anything
 * seeded), and cheap. The separator keeps ("a","bc") and ("ab","c") apart.
 */
export function shardHash(key: ExportKey): number {
  let h = 0x811c9dc5;
  const text = `${key.projectId}\u0000${key.serverId}\u0000${key.exportId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function ownsExport(shard: Shard, key: ExportKey): boolean {
  return shard.total <= 1 || shardHash(key) % shard.total === shard.index;
}

/** A discovered server belongs to the shard its project and server id hash to (the same FNV-1a, no export id). */
export function ownsServer(shard: Shard, projectId: string, serverId: string): boolean {
  if (shard.total <= 1) return true;
  let h = 0x811c9dc5;
  const text = `${projectId}\u0000${serverId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shard.total === shard.index;
}

/** This replica's part of the config: its exports, and its share of every account's rate limit. */
export function shardConfig(config: ExporterConfig, shard: Shard): ExporterConfig {
  if (shard.total <= 1) return config;
  const accounts = new Map(
    [...config.accounts].map(([name, a]) => [
      name,
      {
        ...a,
        rateLimit: {
          requestsPerSecond: a.rateLimit.requestsPerSecond / shard.total,
          burst: Math.max(1, Math.ceil(a.rateLimit.burst / shard.total)),
        },
      },
    ]),
  );
  // Each replica starts exports for its own servers only, so each gets its share of the hourly budget.
  const autoCollect = config.autoCollect && { ...config.autoCollect, maxPerHour: config.autoCollect.maxPerHour / shard.total };
  return { ...config, accounts, exports: config.exports.filter((e) => ownsExport(shard, e)), ...(autoCollect && { autoCollect }) };
}

/**
 * Why this replica's share of the automatic-collection budget can never start an export (a share under one per
 * hour, e.g. max_per_hour: 2 over 3 replicas), or undefined. Said at start-up: otherwise it would be silent.
 */
export function autoCollectShareProblem(config: ExporterConfig, shard: Shard): string | undefined {
  const ac = config.autoCollect;
  if (ac === undefined || ac.dryRun || ac.maxPerHour / shard.total >= 1) return undefined;
  return `auto_collect.max_per_hour (${ac.maxPerHour}) is shared by ${shard.total} replicas: each gets under one start per hour, so none will ever start an export; set it to ${shard.total} or more`;
}

/** The StatefulSet ordinal at the end of a pod name: `clouddc-exporter-2` → 2. */
export function ordinalFromHostname(name: string = process.env.HOSTNAME ?? hostname()): number | undefined {
  const m = /-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
