import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import type { ConfigResult } from '../config/load.js';
import type { ExporterConfig } from '../domain/config.js';
import type { ApplyResult } from './exporter.js';

export type ReloadOutcome = { ok: true; result: ApplyResult } | { ok: false; problems: string[] };

export interface ReloaderDeps {
  readonly path: string;
  readonly load: (path: string) => Promise<ConfigResult>;
  /** Applied to every loaded config before use (sharding). */
  readonly transform?: (config: ExporterConfig) => ExporterConfig;
  readonly apply: (config: ExporterConfig) => Promise<ApplyResult>;
  readonly onOutcome: (ok: boolean) => void;
  readonly logger: Logger;
}

export interface Reloader {
  /** Loads and applies the file now. A config that fails validation changes nothing. */
  reload(trigger: string): Promise<ReloadOutcome>;
  /** Reloads if the file's content differs from the last attempt; cheap enough to run every few seconds. */
  checkForChange(): Promise<void>;
}

async function digest(path: string): Promise<string | undefined> {
  try {
    // readFile follows symlinks, so a Kubernetes ConfigMap's atomic ..data swap shows up as new content.
    return createHash('sha256').update(await fs.readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Reloads are serialised: a trigger during a reload waits for it and then runs its own, so the
 * last trigger always sees the latest file.
 */
export function createReloader(deps: ReloaderDeps, initialDigest?: string): Reloader {
  let lastAttempt = initialDigest;
  let queue: Promise<unknown> = Promise.resolve();

  async function doReload(trigger: string): Promise<ReloadOutcome> {
    lastAttempt = await digest(deps.path);
    const loaded = await deps.load(deps.path);
    if (!loaded.ok) {
      deps.onOutcome(false);
      deps.logger.error(
        { trigger, problems: loaded.problems },
        `configuration reload failed; still running the previous configuration:\n${loaded.problems.join('\n')}`,
      );
      return { ok: false, problems: loaded.problems };
    }
    const config = deps.transform ? deps.transform(loaded.config) : loaded.config;
    const result = await deps.apply(config);
    deps.onOutcome(true);
    deps.logger.info({ trigger, ...result, exports: config.exports.length }, 'configuration reloaded');
    return { ok: true, result };
  }

  const reloader: Reloader = {
    reload(trigger) {
      const run = queue.then(() => doReload(trigger));
      queue = run.catch(() => undefined);
      return run;
    },
    async checkForChange() {
      const current = await digest(deps.path);
      if (current !== undefined && current !== lastAttempt) await reloader.reload('file change');
    },
  };
  return reloader;
}

export { digest as fileDigest };
