import type { AlarmLevel, HealthState } from './fleet.js';

/** The health states `auto_collect.when.health_state` may name: a program writing to the cloud acts on these only. */
export const TRIGGER_HEALTH_STATES = ['Critical', 'Warning'] as const satisfies readonly HealthState[];
export type TriggerHealthState = (typeof TRIGGER_HEALTH_STATES)[number];

/** `auto_collect.download`: where completed bundles go, and how much the directory may hold. */
export interface AutoDownloadSettings {
  /** Absolute path; the exporter's own directory (files beyond `maxBytes` are removed, oldest first). */
  readonly dir: string;
  readonly maxBytes: number;
}

/** `auto_collect:` after defaults: which servers get an export started by the exporter itself. */
export interface AutoCollectSettings {
  readonly healthStates: readonly TriggerHealthState[];
  /** Also on a new active alarm of this level or worse; off when absent. */
  readonly alarmLevel?: AlarmLevel;
  /** At most one automatic export per server within this long. */
  readonly cooldownMs: number;
  /** Starts per account (this replica's share of it when sharded) in any hour. */
  readonly maxPerHour: number;
  /** Decide, log and count, but call nothing. */
  readonly dryRun: boolean;
  readonly download?: AutoDownloadSettings;
}

/** `clouddc_exporter_auto_collect_total{result}`: what one decision came to. */
export const AUTO_COLLECT_RESULTS = ['started', 'dry_run', 'cooldown', 'budget', 'failed'] as const;
export type AutoCollectResult = (typeof AUTO_COLLECT_RESULTS)[number];

/** `clouddc_exporter_auto_collect_downloads_total{result}`. */
export const AUTO_DOWNLOAD_RESULTS = ['ok', 'failed'] as const;
export type AutoDownloadResult = (typeof AUTO_DOWNLOAD_RESULTS)[number];

/** The IAM actions a configuration with `auto_collect` needs besides the read-only ones. */
export function autoCollectActions(settings: AutoCollectSettings): string[] {
  return ['clouddc:imetal:createDumpLog', ...(settings.download === undefined ? [] : ['clouddc:imetal:createDownloadLog'])];
}

/** What `--config.check` says of a configuration with `auto_collect`: that it writes, and the IAM actions it needs. */
export function describeWrites(settings: AutoCollectSettings): string {
  const what = settings.download === undefined ? 'starts BMC log exports' : `starts BMC log exports and downloads their bundles into ${settings.download.dir}`;
  const mode = settings.dryRun ? ' (now in dry_run: it decides and counts, but calls nothing)' : '';
  return `auto_collect: this configuration makes the exporter write to CloudDC: it ${what}${mode}; besides read access it needs the IAM action(s) ${autoCollectActions(settings).join(', ')}, and --storage.path`;
}

/** One decision as the status page lists it. */
export interface AutoCollectDecision {
  /** Unix seconds. */
  readonly at: number;
  readonly account: string;
  readonly serverId: string;
  readonly serverName: string;
  readonly trigger: string;
  /** The decision's result, or what became of the bundle's download. */
  readonly result: AutoCollectResult | 'downloaded' | 'download_failed';
  readonly exportId?: string;
  /** Why it failed, or a note such as the file a bundle was saved to. */
  readonly detail?: string;
}

/** What the status page shows of automatic collection; absent when `auto_collect` is not configured. */
export interface AutoCollectView {
  readonly dryRun: boolean;
  readonly cooldownSeconds: number;
  readonly maxPerHour: number;
  readonly downloadDir?: string;
  /** Newest first. */
  readonly recent: readonly AutoCollectDecision[];
}
