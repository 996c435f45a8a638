import { Counter, type Registry } from 'prom-client';
import { AUTO_COLLECT_RESULTS, AUTO_DOWNLOAD_RESULTS, type AutoCollectResult, type AutoDownloadResult } from '../domain/auto-collect.js';

/** `auto_collect`'s counters: every decision, and every bundle fetched into the download directory. */
export interface AutoCollectMetrics {
  decision(account: string, result: AutoCollectResult): void;
  download(account: string, result: AutoDownloadResult): void;
  /** Every result at 0 for an account that collection watches, so that rate() sees the first one. */
  watch(account: string, downloads: boolean): void;
}

/**
 * Registered on first use (an account watched, which happens when `auto_collect` is configured), so that an
 * exporter without it serves not even the two HELP lines.
 */
export function autoCollectMetrics(registry: Registry): AutoCollectMetrics {
  let counters: { decisions: Counter<'account' | 'result'>; downloads: Counter<'account' | 'result'> } | undefined;
  const get = (): NonNullable<typeof counters> =>
    (counters ??= {
      decisions: new Counter<'account' | 'result'>({
        name: 'clouddc_exporter_auto_collect_total',
        help: 'Decisions of automatic log collection (auto_collect) by result: started, dry_run, cooldown, budget or failed.',
        labelNames: ['account', 'result'] as const,
        registers: [registry],
      }),
      downloads: new Counter<'account' | 'result'>({
        name: 'clouddc_exporter_auto_collect_downloads_total',
        help: 'Bundles of automatically started exports fetched into auto_collect.download.dir, by result: ok or failed.',
        labelNames: ['account', 'result'] as const,
        registers: [registry],
      }),
    });
  return {
    decision: (account, result) => get().decisions.inc({ account, result }),
    download: (account, result) => get().downloads.inc({ account, result }),
    watch(account, withDownloads) {
      const { decisions, downloads } = get();
      for (const result of AUTO_COLLECT_RESULTS) decisions.inc({ account, result }, 0);
      if (withDownloads) for (const result of AUTO_DOWNLOAD_RESULTS) downloads.inc({ account, result }, 0);
    },
  };
}
