/** How one file of exports (`export_files` in the config) loaded last; shown on the status page and in metrics. */
export interface ExportFileStatus {
  readonly path: string;
  /** Whether the file's current content was valid and is in use. */
  readonly ok: boolean;
  /** `path: message` lines of the last failed load; empty when ok. */
  readonly problems: readonly string[];
  /** Exports the file contributes now (its last good content when failing). */
  readonly exports: number;
}
