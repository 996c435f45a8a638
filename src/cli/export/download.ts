import { mkdir } from 'node:fs/promises';
import type { ExportKey } from '../../domain/export.js';
import type { PollFailure } from '../../domain/poll.js';
import type { Output } from '../progress.js';
import { FileExistsError, sanitiseFilename, writeBundle } from './bundle-file.js';
import type { ExportContext } from './context.js';
import { createTransferProgress, formatBytes } from './transfer-progress.js';

export type DownloadOutcome =
  | { readonly ok: true; readonly path: string; readonly bytes: number; readonly seconds: number }
  /** `exportFailed`: the export itself ended in failure (or a status no doc lists), not the download. */
  | { readonly ok: false; readonly message: string; readonly exportFailed?: boolean };

export function describeFailure(f: PollFailure): string {
  const code = f.errorCode === undefined ? '' : ` ${f.errorCode}`;
  const http = /^\d{3}$/.test(f.reason) ? `HTTP ${f.reason}${code}: ` : '';
  return `${http}${f.message}`;
}

/**
 * One bundle: checks with ShowLogsExportStatus that the export has completed (a clear message if not, instead of
 * whatever the download call would answer), then streams it to DIR. A download that breaks mid-stream with a
 * retryable failure starts again from the beginning, within the config's retries: the API offers no ranges.
 */
export async function downloadExport(
  ctx: ExportContext,
  key: ExportKey,
  dir: string,
  opts: { readonly overwrite: boolean; readonly stderr: Output; readonly signal: AbortSignal; readonly skipStatusCheck?: boolean },
): Promise<DownloadOutcome> {
  const what = `export ${key.exportId} of server ${key.serverId}`;
  if (opts.skipStatusCheck !== true) {
    const status = await ctx.status.fetchStatus(key, opts.signal);
    if (!status.ok) return { ok: false, message: `${what}: cannot read its status: ${describeFailure(status)}` };
    const o = status.observation;
    if (o.status !== 'completed') {
      const state = o.status === 'processing' ? `still processing (${Math.round(o.percentage)}%)` : `${o.rawStatus} (${o.status})`;
      return { ok: false, message: `${what} is ${state}, not completed; nothing to download`, exportFailed: o.status !== 'processing' };
    }
  }
  const started = Date.now();
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    return { ok: false, message: `--dir: cannot create ${dir}: ${err instanceof Error ? err.message : String(err)}` };
  }
  for (let attempt = 1; ; attempt++) {
    const opened = await ctx.api.openBundle(key, opts.signal);
    if (!opened.ok) return { ok: false, message: `${what}: download failed: ${describeFailure(opened.failure)}` };
    const { headers, body } = opened.response;
    const name = sanitiseFilename(headers['content-disposition'], `${key.serverId}-${key.exportId}-dump.tar.gz`);
    const length = Number(headers['content-length']);
    const total = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    const progress = createTransferProgress(opts.stderr, name, total);
    try {
      const written = await writeBundle(body, dir, name, {
        overwrite: opts.overwrite,
        ...(total !== undefined && { expectedBytes: total }),
        onBytes: (n) => progress.update(n),
        signal: opts.signal,
      });
      const seconds = (Date.now() - started) / 1000;
      progress.finish(`${written.path}: ${formatBytes(written.bytes)} in ${seconds.toFixed(1)} s`);
      return { ok: true, path: written.path, bytes: written.bytes, seconds };
    } catch (err) {
      body.destroy();
      const message = err instanceof Error ? err.message : String(err);
      if (opts.signal.aborted) {
        progress.finish(`${name}: interrupted; nothing was kept`);
        return { ok: false, message: `${what}: interrupted` };
      }
      if (err instanceof FileExistsError) {
        progress.finish('');
        return { ok: false, message: message };
      }
      const local = typeof (err as { syscall?: unknown }).syscall === 'string' && (err as { code?: string }).code !== 'ECONNRESET';
      const failure: PollFailure = { ok: false, reason: local ? 'local' : 'network', message, attempts: attempt };
      progress.finish(local ? '' : `${name}: ${message}`);
      if (local) return { ok: false, message: `${what}: cannot write ${dir}: ${message}` };
      if (!(await ctx.api.mayRetryDownload(attempt, failure, opts.signal))) {
        return { ok: false, message: `${what}: download broke off: ${message}; no file was kept` };
      }
    }
  }
}
