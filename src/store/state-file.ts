import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { exportKeyId } from '../domain/export.js';
import { withChanges, type ExportState, type RetireReason } from '../domain/export-state.js';

/**
 * The facts a restart would otherwise forget. Counters and the last observation are not kept:
 * counters restart like every Prometheus counter, and the first poll brings a fresh observation.
 */
export interface PersistedFacts {
  readonly lastProgressAt?: number;
  readonly completedAt?: number;
  readonly notFoundSince?: number;
  readonly failedSince?: number;
  readonly retired?: { readonly at: number; readonly reason: RetireReason };
  /** What progress was last measured against. */
  readonly status?: string;
  readonly percentage?: number;
}

export interface StateFileV1 {
  readonly version: 1;
  readonly exports: Readonly<Record<string, PersistedFacts>>;
  /** Automatic collection's memory (collect/ledger.ts checks it); absent when it has nothing to remember. */
  readonly auto_collect?: unknown;
}

export function snapshot(states: Iterable<ExportState>, autoCollect?: unknown): StateFileV1 {
  const exports: Record<string, PersistedFacts> = {};
  for (const s of states) {
    const facts: PersistedFacts = {
      lastProgressAt: s.lastProgressAt,
      completedAt: s.completedAt,
      notFoundSince: s.notFoundSince,
      failedSince: s.failedSince,
      retired: s.retired,
      status: s.observation?.status ?? s.baseline?.status,
      percentage: s.observation?.percentage ?? s.baseline?.percentage,
    };
    if (Object.values(facts).some((v) => v !== undefined)) exports[exportKeyId(s.target)] = facts;
  }
  return autoCollect === undefined ? { version: 1, exports } : { version: 1, exports, auto_collect: autoCollect };
}

/** Puts persisted facts into a freshly tracked export's state. */
export function restoreFacts(state: ExportState, facts: PersistedFacts): ExportState {
  const baseline = facts.status !== undefined && facts.percentage !== undefined ? { status: facts.status, percentage: facts.percentage } : undefined;
  return withChanges(state, {
    lastProgressAt: facts.lastProgressAt,
    completedAt: facts.completedAt,
    notFoundSince: facts.notFoundSince,
    failedSince: facts.failedSince,
    retired: facts.retired,
    baseline,
  });
}

const RETIRE_REASONS: ReadonlySet<string> = new Set<RetireReason>(['completed', 'failed', 'not_found']);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || num(v);

/** Validates a parsed state file; anything unexpected makes the whole file unusable. */
export function parseStateFile(text: string): StateFileV1 | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const d = data as { version?: unknown; exports?: unknown };
  if (typeof d !== 'object' || d === null || d.version !== 1) return 'unknown format version';
  if (typeof d.exports !== 'object' || d.exports === null || Array.isArray(d.exports)) return '"exports" is not an object';
  for (const [id, f] of Object.entries(d.exports as Record<string, unknown>)) {
    const facts = f as Record<string, unknown>;
    const retired = facts.retired as { at?: unknown; reason?: unknown } | undefined;
    const ok =
      typeof facts === 'object' &&
      facts !== null &&
      optNum(facts.lastProgressAt) &&
      optNum(facts.completedAt) &&
      optNum(facts.notFoundSince) &&
      optNum(facts.failedSince) &&
      optNum(facts.percentage) &&
      (facts.status === undefined || typeof facts.status === 'string') &&
      (retired === undefined || (num(retired.at) && RETIRE_REASONS.has(retired.reason as string)));
    if (!ok) return `entry ${JSON.stringify(id).slice(0, 80)} is malformed`;
  }
  return d as StateFileV1;
}

const TEMP_SUFFIX = /^[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files writeFileAtomic leaves behind when the process dies between creating one and
 * renaming it (kill -9, OOM kill): each is as large as the state file, and a crash loop would fill the volume.
 * Call at start-up only, before anything writes. Never throws; returns how many were removed.
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !TEMP_SUFFIX.test(name.slice(prefix.length))) continue;
    try {
      await fs.rm(join(dir, name), { force: true });
      removed++;
    } catch {
      // Not ours to worry about: the next start tries again.
    }
  }
  return removed;
}

/**
 * Temporary file, fsync, rename: a crash at any point leaves either the old file or the new one,
 * never a mix. `mode` is the file's mode after the rename (the existing file's, so an operator's choice stays).
 * A failure at any step (a full disk fails the write, the fsync or even the close) removes the temporary file
 * before the error is passed on: a write retried after every poll cycle must not leave a file per attempt.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow a link or reuse a file someone placed at the temporary name. Nothing to remove when it
  // fails: the name is not ours then.
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    try {
      // The mode the operator gave the file it replaces (open's mode is cut by the umask; chmod is not).
      await handle.chmod(mode);
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
