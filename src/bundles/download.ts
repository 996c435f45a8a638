import { mkdir } from 'node:fs/promises';
import { errorCodeOf } from '../clouddc/log-api-answers.js';
import { formatDuration } from '../config/duration.js';
import { describeFsError } from '../files/fs-error.js';
import type { ExportKey } from '../domain/export.js';
import type { PollFailure } from '../domain/poll.js';
import type { AccountClient } from '../clouddc/client.js';
import type { LogApi } from '../clouddc/log-api.js';
import { FileExistsError, LocalFileError, sanitiseFilename, writeBundle } from './bundle-file.js';
import { removeStaleParts } from './stale-parts.js';
import { createTransferProgress, formatBytes, type TextOutput } from './transfer-progress.js';

/** What a download needs of an account: `export download`'s context, or the running exporter's clients. */
export interface BundleSource {
  readonly api: Pick<LogApi, 'openBundle' | 'mayRetryDownload'>;
  /** ShowLogsExportStatus, exactly as the exporter polls it. */
  readonly status: Pick<AccountClient, 'fetchStatus'>;
  readonly config: { readonly poll: { readonly timeoutMs: number } };
}

export type DownloadOutcome =
  | { readonly ok: true; readonly path: string; readonly bytes: number; readonly seconds: number }
  /** `exportFailed`: the export itself ended in failure (or a status no doc lists), not the download. */
  | { readonly ok: false; readonly message: string; readonly exportFailed?: boolean };

/** A failure as one line. Its message already names the HTTP status and API error code: they are not added again. */
export function describeFailure(f: PollFailure): string {
  return f.message;
}

/** `--timeout`: when to give up (ms since the epoch), and the duration as the user wrote it, for the message. */
export interface Deadline {
  readonly at: number;
  readonly ms: number;
}

export interface DownloadOptions {
  readonly overwrite: boolean;
  readonly stderr: TextOutput;
  /** SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  readonly deadline?: Deadline;
  readonly skipStatusCheck?: boolean;
  /** Put before the answer's file name (then made safe the same way), e.g. to keep two bundles of one server apart. */
  readonly prefix?: string;
}

/**
 * One bundle: checks with ShowLogsExportStatus that the export has completed (a clear message if not, instead of
 * whatever the download call would answer), then streams it to DIR. A download that breaks mid-stream with a
 * retryable failure starts again from the beginning, within the config's retries: the API offers no ranges.
 * Every way it can end is a one-line message: no error escapes as a stack trace.
 */
export async function downloadExport(ctx: BundleSource, key: ExportKey, dir: string, opts: DownloadOptions): Promise<DownloadOutcome> {
  const what = `export ${key.exportId} of server ${key.serverId}`;
  const timer = new AbortController();
  let handle: NodeJS.Timeout | undefined;
  if (opts.deadline !== undefined) handle = setTimeout(() => timer.abort(), Math.max(0, opts.deadline.at - Date.now()));
  const signal = AbortSignal.any([opts.signal, timer.signal]);
  const stopped = (): DownloadOutcome | undefined => {
    if (timer.signal.aborted) return { ok: false, message: `${what}: --timeout: gave up after ${formatDuration(opts.deadline?.ms ?? 0)}; no file was kept` };
    if (opts.signal.aborted) return { ok: false, message: `${what}: interrupted; no file was kept` };
    return undefined;
  };
  try {
    if (opts.skipStatusCheck !== true) {
      const status = await ctx.status.fetchStatus(key, signal);
      if (!status.ok) return stopped() ?? { ok: false, message: `${what}: cannot read its status: ${describeFailure(status)}` };
      const o = status.observation;
      if (o.status !== 'completed') {
        const state = o.status === 'processing' ? `still processing (${Math.round(o.percentage)}%)` : `${o.rawStatus} (${o.status})`;
        return { ok: false, message: `${what} is ${state}, not completed; nothing to download`, exportFailed: o.status !== 'processing' };
      }
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      return { ok: false, message: `--dir: cannot create ${dir}: ${describeFsError(err)}` };
    }
    for (const path of await removeStaleParts(dir)) opts.stderr.write(`clouddc-exporter: removed ${path}, a partial download left by an earlier run\n`);
    return await transfer(ctx, key, dir, { ...opts, signal }, what, stopped);
  } finally {
    clearTimeout(handle);
  }
}

async function transfer(
  ctx: BundleSource,
  key: ExportKey,
  dir: string,
  opts: DownloadOptions,
  what: string,
  stopped: () => DownloadOutcome | undefined,
): Promise<DownloadOutcome> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const opened = await ctx.api.openBundle(key, opts.signal);
    if (!opened.ok) return stopped() ?? { ok: false, message: `${what}: download failed: ${describeFailure(opened.failure)}` };
    const { headers, body } = opened.response;
    const given = sanitiseFilename(headers['content-disposition'], `${key.serverId}-${key.exportId}-dump.tar.gz`);
    const name = opts.prefix === undefined ? given : sanitiseFilename(undefined, `${opts.prefix}${given}`);
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
      progress.finish('');
      const end = stopped();
      if (end !== undefined) return end;
      if (err instanceof FileExistsError) return { ok: false, message: err.message };
      if (err instanceof LocalFileError) return { ok: false, message: `${what}: ${err.message}; no file was kept` };
      const failure = streamFailure(err, attempt, ctx.config.poll.timeoutMs);
      if (!(await ctx.api.mayRetryDownload(attempt, failure, opts.signal))) {
        return stopped() ?? { ok: false, message: `${what}: download broke off: ${failure.message}; no file was kept` };
      }
      opts.stderr.write(`clouddc-exporter: ${name}: ${failure.message}; starting again\n`);
    }
  }
}

/** The answer's stream broke: an idle timeout or a network failure, both worth another attempt. */
function streamFailure(err: unknown, attempt: number, idleMs: number): PollFailure {
  const code = errorCodeOf(err);
  if (code === 'UND_ERR_BODY_TIMEOUT') return { ok: false, reason: 'timeout', message: `no data for ${formatDuration(idleMs)}`, attempts: attempt };
  const text = err instanceof Error ? err.message : String(err);
  return { ok: false, reason: 'network', message: code !== undefined && !text.includes(code) ? `${code}: ${text}` : text, attempts: attempt };
}
