import type { ExportState } from '../store/export-state.js';

/** What the HTTP layer may see of the running exporter: read-only. */
export interface ExporterView {
  readonly version: string;
  /** Config loaded and the first poll cycle finished. */
  ready(): boolean;
  metricsText(): Promise<string>;
  states(): Iterable<ExportState>;
}
