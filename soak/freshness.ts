import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ExportState } from '../src/domain/export-state.js';

/**
 * The soak's `failing` profile: a share of the exports answers 500 to every request while the rest are healthy,
 * and the healthy ones must stay as fresh as the schedule says. Exports are the bench's (export id 100000 + i).
 */

/** Export i of the bench's list fails in the failing profile when i % FAIL_EVERY === 0: 20 %. */
export const FAIL_EVERY = 5;

export function isFailing(exportIndex: number): boolean {
  return exportIndex % FAIL_EVERY === 0;
}

function indexOf(state: ExportState): number {
  return Number(state.target.exportId) - 100_000;
}

const ALERTS_FILE = new URL('../../helm/clouddc-exporter/files/alerts.yml', import.meta.url);

/**
 * The shipped CloudDCLogExportDataStale threshold in poll intervals (the K of its
 * `clamp_min(K * clouddc_exporter_poll_interval_seconds, floor)`), read from the rule file itself so that the
 * check follows the rule if it changes. The floor is left out on purpose: at the soak's 5 s schedule it would
 * make the check far looser than the rule is at the default schedule.
 */
export function staleAlertIntervals(): number {
  const rules = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; expr?: string }> }> };
  const rule = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'CloudDCLogExportDataStale');
  const m = /clamp_min\(\s*(\d+(?:\.\d+)?)\s*\*\s*clouddc_exporter_poll_interval_seconds/.exec(rule?.expr ?? '');
  if (m === null) throw new Error('CloudDCLogExportDataStale: no "clamp_min(K * clouddc_exporter_poll_interval_seconds..." in its expr');
  return Number(m[1]);
}

/**
 * Samples the last-success age of every healthy export, as a scrape would see it. The staleness alert's
 * condition (age above its threshold, scaled to the soak's interval) must never hold for one of them: then the
 * alert cannot fire whatever its `for:`.
 */
export class FreshnessWatch {
  maxAgeSeconds = 0;
  /** Export id with the largest age seen. */
  worst = '';
  samples = 0;
  /** Samples in which at least one healthy export met the staleness alert's condition. */
  staleSamples = 0;
  /** Healthy exports that ever met it. */
  readonly staleExports = new Set<string>();

  constructor(private readonly staleAfterSeconds: number) {}

  sample(states: Iterable<ExportState>, nowSeconds: number): void {
    this.samples++;
    let stale = false;
    for (const s of states) {
      if (isFailing(indexOf(s))) continue;
      // Never polled successfully yet counts from the start: the first cycle is done before sampling begins.
      const age = nowSeconds - (s.lastSuccessAt ?? 0);
      if (age > this.maxAgeSeconds) {
        this.maxAgeSeconds = age;
        this.worst = s.target.exportId;
      }
      if (age > this.staleAfterSeconds) {
        stale = true;
        this.staleExports.add(s.target.exportId);
      }
    }
    if (stale) this.staleSamples++;
  }
}
