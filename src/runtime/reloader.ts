import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { readBounded } from '../files/bounded-read.js';
import type { ConfigResult } from '../config/load.js';
import type { ExporterConfig } from '../domain/config.js';
import type { ApplyResult } from './exporter.js';
import type { Result } from '../domain/result.js';

export type ReloadOutcome = Result<ApplyResult>;

export interface ReloaderDeps {
  readonly path: string;
  readonly load: (path: string) => Promise<ConfigResult>;
  /** Applied to every loaded config before use (sharding). */
  readonly transform?: (config: ExporterConfig) => ExporterConfig;
  readonly apply: (config: ExporterConfig) => Promise<ApplyResult>;
  readonly onOutcome: (ok: boolean) => void;
  readonly logger: Logger;
  /** Folded into the change check: the export files' fingerprint, so that a changed export file alone reloads. */
  readonly extraDigest?: () => Promise<string>;
}

export interface Reloader {
  /** Loads and applies the file now. A config that fails validation changes nothing. */
  reload(trigger: string): Promise<ReloadOutcome>;
  /** Reloads if the file's content differs from the last attempt; cheap enough to run every few seconds. */
  checkForChange(): Promise<void>;
}

/**
 * What the file holds now, as a hash. The read follows symlinks, so a Kubernetes ConfigMap's atomic ..data swap
 * shows up as new content. A file refused for its type or size gets a digest of its own, so that it is tried
 * (and its refusal logged and counted) once, not on every check; a missing file is mid-swap and waited for.
 */
async function digest(path: string): Promise<string | undefined> {
  const read = await readBounded(path, 'config');
  if (read.ok) return createHash('sha256').update(read.data).digest('hex');
  return read.code === undefined ? `refused: ${read.reason}` : undefined;
}

/**
 * Reloads are serialised: a trigger during a reload waits for it and then runs its own, so the
 * last trigger always sees the latest file.
 */
/** The fingerprint a change check compares: the file's digest, and the export files' when there are any. */
export async function configFingerprint(deps: Pick<ReloaderDeps, 'path' | 'extraDigest'>): Promise<string | undefined> {
  const own = await digest(deps.path);
  return own === undefined || deps.extraDigest === undefined ? own : `${own}+${await deps.extraDigest()}`;
}

/**
 * `initialDigest`: what `configFingerprint(deps)` gave for the config the exporter started with; anything else
 * (the config file's digest alone, say) makes the first check see a change that never happened.
 */
export function createReloader(deps: ReloaderDeps, initialDigest?: string): Reloader {
  let lastAttempt = initialDigest;
  let queue: Promise<unknown> = Promise.resolve();
  let checking: Promise<void> | undefined;

  const current = (): Promise<string | undefined> => configFingerprint(deps);

  async function doReload(trigger: string): Promise<ReloadOutcome> {
    lastAttempt = await current();
    const loaded = await deps.load(deps.path);
    if (!loaded.ok) {
      deps.onOutcome(false);
      deps.logger.error(
        { trigger, problems: loaded.problems },
        `configuration reload failed; still running the previous configuration:\n${loaded.problems.join('\n')}`,
      );
      return { ok: false, problems: loaded.problems };
    }
    const config = deps.transform ? deps.transform(loaded.value) : loaded.value;
    const result = await deps.apply(config);
    deps.onOutcome(true);
    deps.logger.info({ trigger, ...result, exports: config.exports.length }, 'configuration reloaded');
    return { ok: true, value: result };
  }

  const reloader: Reloader = {
    reload(trigger) {
      const run = queue.then(() => doReload(trigger));
      queue = run.catch(() => undefined);
      return run;
    },
    checkForChange() {
      // A check still reading a slow file is not joined by another: one read of the file at a time.
      checking ??= (async () => {
        const now = await current();
        if (now !== undefined && now !== lastAttempt) await reloader.reload('file change');
      })().finally(() => {
        checking = undefined;
      });
      return checking;
    },
  };
  return reloader;
}
