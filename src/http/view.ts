import type { Result } from '../domain/result.js';
import type { ExportFileStatus } from '../domain/export-file.js';
import type { ExportState } from '../domain/export-state.js';
import type { AccountFleet } from '../domain/fleet.js';
import type { AutoCollectView } from '../domain/auto-collect.js';
import type { ScrapeLease } from '../exposition/exposition.js';

/** A configured account as the status page shows it. */
export interface AccountView {
  readonly name: string;
  /** Where its credentials come from (config, environment, profile file, metadata...), never a secret. */
  readonly source: string;
  /** While requests are paused after a refused AK/SK signature: until when (ISO 8601) and why. */
  readonly paused: { readonly until: string; readonly reason: string } | null;
}

/** What the HTTP layer may see of the running exporter: read-only. */
export interface ExporterView {
  readonly version: string;
  /** Config loaded and the first poll cycle finished. */
  ready(): boolean;
  /** The exporter's clock, ms since the epoch (fake in tests); Date.now when absent. */
  now?(): number;
  /** The exposition at this instant; the caller releases the lease once on every path. */
  scrape(opts: { readonly gzip: boolean }): Promise<ScrapeLease>;
  states(): Iterable<ExportState>;
  /** Every configured account (of this shard), for the per-account summary. */
  accounts?(): readonly AccountView[];
  /** When a processing export without progress counts as stuck; default 30 minutes (the demo: its alert's threshold). */
  readonly stuckAfterSeconds?: number;
  /** Problems with the running config that the status page shows as banners (a schedule that cannot be met). */
  warnings?(): readonly string[];
  /** Discovered servers per account with `servers:`; absent or empty when none discovers. */
  fleets?(): readonly AccountFleet[];
  /** `auto_collect`: its settings and latest decisions; undefined when it is off. */
  autoCollect?(): AutoCollectView | undefined;
  /** `export_files` and how each one's last load went; absent or empty when none are configured. */
  exportFiles?(): readonly ExportFileStatus[];
  /** Present when the exporter runs from a config file that can be reloaded. */
  /** --web.enable-lifecycle: POST /-/reload is served. */
  readonly lifecycleEnabled?: boolean;
  reload?(trigger: string): Promise<Result<unknown>>;
}
