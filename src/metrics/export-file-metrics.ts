import { Gauge, type Registry } from 'prom-client';
import type { ExportFileStatus } from '../domain/export-file.js';

/** Per export file: whether its last load succeeded, and how many exports it contributes. Registered on first use. */
export function exportFileMetrics(registry: Registry): (files: readonly ExportFileStatus[]) => void {
  let success: Gauge<'path'> | undefined;
  let exports: Gauge<'path'> | undefined;
  return (files) => {
    success ??= new Gauge({
      name: 'clouddc_exporter_export_file_last_load_success',
      help: 'Whether the last load of an export_files file succeeded (1) or failed and its last good content is kept (0).',
      labelNames: ['path'] as const,
      registers: [registry],
    });
    exports ??= new Gauge({
      name: 'clouddc_exporter_export_file_exports',
      help: 'Exports an export_files file contributes, after its last load.',
      labelNames: ['path'] as const,
      registers: [registry],
    });
    // A file that no longer matches loses its series, as a removed target does.
    success.reset();
    exports.reset();
    for (const f of files) {
      success.set({ path: f.path }, f.ok ? 1 : 0);
      exports.set({ path: f.path }, f.exports);
    }
  };
}
