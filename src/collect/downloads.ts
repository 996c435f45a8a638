import type { Logger } from 'pino';
import { downloadExport, type BundleSource } from '../bundles/download.js';
import type { AutoCollectSettings, AutoDownloadResult } from '../domain/auto-collect.js';
import type { ExportState } from '../domain/export-state.js';
import type { Collector } from './collector.js';
import { capDirectory } from './dir-cap.js';
import { recordKey } from './ledger.js';

/** A bundle that failed this many times is given up on (each try is a whole download: the API offers no ranges). */
export const MAX_DOWNLOAD_ATTEMPTS = 3;

const QUIET = { write: () => true, isTTY: false };

export interface DownloaderDeps {
  readonly logger: Logger;
  readonly collector: Collector;
  readonly settings: () => AutoCollectSettings | undefined;
  readonly stateOf: (id: string) => ExportState | undefined;
  readonly sourceFor: (account: string) => BundleSource | undefined;
  readonly count: (account: string, result: AutoDownloadResult) => void;
  /** Writes the state file (the outcome of each download). */
  readonly persist: () => Promise<boolean>;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

/**
 * `auto_collect.download`: after each poll cycle, the bundles of completed automatic exports are fetched one at a
 * time with `export download`'s code (safe names, a hidden temporary file renamed into place, the same timeouts and
 * retries), each name prefixed with its export id so two bundles of one server never clash; then the directory is
 * cut back to `max_bytes`. A pass still running when the next cycle ends lets that one go.
 */
export class Downloader {
  readonly #deps: DownloaderDeps;
  #pass: Promise<void> | undefined;

  constructor(deps: DownloaderDeps) {
    this.#deps = deps;
  }

  /** Starts a pass unless one is running; resolves when the running pass ends. */
  run(): Promise<void> {
    this.#pass ??= this.#run().finally(() => {
      this.#pass = undefined;
    });
    return this.#pass;
  }

  async #run(): Promise<void> {
    const settings = this.#deps.settings()?.download;
    if (settings === undefined) return;
    const due = [...this.#deps.collector.records()].filter((r) => {
      if (r.result !== 'started' || r.exportId === undefined || r.downloaded !== undefined) return false;
      return this.#deps.stateOf(`${r.projectId}/${r.serverId}/${r.exportId}`)?.observation?.status === 'completed';
    });
    for (const r of due) {
      if (this.#deps.signal.aborted) return;
      const source = this.#deps.sourceFor(r.account);
      if (source === undefined) continue;
      const key = { projectId: r.projectId, serverId: r.serverId, exportId: r.exportId! };
      const outcome = await downloadExport(source, key, settings.dir, {
        overwrite: false,
        stderr: QUIET,
        signal: this.#deps.signal,
        skipStatusCheck: true,
        prefix: `${r.exportId}-`,
      });
      if (this.#deps.signal.aborted) return;
      const attempts = (r.downloadAttempts ?? 0) + 1;
      const gaveUp = !outcome.ok && attempts >= MAX_DOWNLOAD_ATTEMPTS;
      this.#deps.collector.update(recordKey(r.projectId, r.serverId), {
        downloadAttempts: attempts,
        ...(outcome.ok ? { downloaded: 'ok' as const, detail: outcome.path } : gaveUp ? { downloaded: 'failed' as const, detail: outcome.message } : {}),
      });
      this.#deps.count(r.account, outcome.ok ? 'ok' : 'failed');
      const detail = outcome.ok
        ? `${outcome.path} (${outcome.bytes} bytes)`
        : `${outcome.message}${gaveUp ? '; given up' : '; tried again after the next poll'}`;
      this.#deps.collector.note(
        {
          at: this.#deps.now() / 1000,
          account: r.account,
          serverId: r.serverId,
          serverName: r.serverName,
          trigger: r.trigger ?? '',
          result: outcome.ok ? 'downloaded' : 'download_failed',
          exportId: r.exportId!,
          detail,
        },
        outcome.ok ? 'info' : 'warn',
      );
      await this.#deps.persist();
      if (!outcome.ok) continue;
      const capped = await capDirectory(settings.dir, settings.maxBytes);
      for (const path of capped.removed)
        this.#deps.logger.info({ path, maxBytes: settings.maxBytes }, 'auto-collect: removed the oldest bundle to stay under max_bytes');
    }
  }
}
