import type { Logger } from 'pino';
import { formatDuration } from '../../config/duration.js';
import type { ExportTarget } from '../../domain/export.js';
import { runOneShot } from '../one-shot-run.js';
import type { StartArgs } from './args.js';
import type { ExportContext } from './context.js';
import { describeFailure, downloadExport } from '../../bundles/download.js';
import type { ExportIo } from './io.js';
import { formatStarted, type StartedRow } from './start-output.js';
import { EXIT } from '../exit-codes.js';
import { openTrackFile, type TrackedEntry, type TrackFile } from './track-file.js';

/**
 * `export start`: one ExportServerLogs per server, one after another under the account's rate limit; the table or
 * JSON on standard output. Then, as asked: the new exports added to the track file, waited for, downloaded.
 */
export async function runStart(ctx: ExportContext, args: StartArgs, io: ExportIo, logger: Logger): Promise<number> {
  // Before any POST: a track file that cannot take the new exports stops the start, so none is left untracked.
  let track: TrackFile | undefined;
  if (args.trackFile !== undefined) {
    try {
      track = await openTrackFile(args.trackFile, args.servers.length);
    } catch (err) {
      io.stderr.write(`clouddc-exporter: --track-file: ${err instanceof Error ? err.message : String(err)}; no export was started\n`);
      return EXIT.error;
    }
  }
  let rows: StartedRow[];
  try {
    rows = await startAll(ctx, args.servers, io.signal);
  } catch (err) {
    await track?.release();
    throw err;
  }
  const started = rows.filter((r): r is Extract<StartedRow, { ok: true }> => r.ok);
  io.stdout.write(formatStarted(rows, ctx.account.name, args.output));
  for (const r of rows) {
    if (r.ok) continue;
    const hint = r.maybeStarted
      ? '; the request may have reached CloudDC, so an export may have been started: check the console before starting again'
      : '; no export was started';
    io.stderr.write(`clouddc-exporter: server ${r.serverId}: ${r.error}${hint}\n`);
  }
  let code = started.length === rows.length && rows.length === args.servers.length ? 0 : 1;

  const targets: ExportTarget[] = started.map((r) => ({
    projectId: ctx.account.projectId,
    serverId: r.serverId,
    exportId: r.exportId,
    account: ctx.account.name,
    name: args.name === undefined ? '' : args.name.replaceAll('{server}', r.serverId).replaceAll('{export_id}', r.exportId),
    labels: args.labels,
  }));
  if (track !== undefined && targets.length === 0) await track.release();
  if (track !== undefined && targets.length > 0) {
    const entries: TrackedEntry[] = targets.map((t) => ({
      server_id: t.serverId,
      export_id: t.exportId,
      account: t.account,
      ...(t.name !== '' && { name: t.name }),
      ...(Object.keys(t.labels).length > 0 && { labels: t.labels }),
    }));
    try {
      await track.append(entries);
      logger.info({ file: args.trackFile, exports: entries.length }, 'exports added to the track file');
    } catch (err) {
      io.stderr.write(`clouddc-exporter: --track-file: ${err instanceof Error ? err.message : String(err)}; the exports above are not tracked\n`);
      code = 1;
    }
  }
  if (!args.wait || targets.length === 0 || io.signal.aborted) return code;
  // --timeout covers the waiting and the downloads after it.
  const deadline = args.timeoutMs === undefined ? undefined : { at: Date.now() + args.timeoutMs, ms: args.timeoutMs };

  const waited = await runOneShot(
    {
      config: { ...ctx.config, exports: targets },
      mode: 'wait',
      output: args.output,
      logLevel: args.logLevel,
      logFormat: 'logfmt',
      ...(args.timeoutMs !== undefined && { timeoutMs: args.timeoutMs }),
    },
    io,
  );
  // 1: a timeout, an interruption or another error; nothing more to do.
  if (waited !== EXIT.ok && waited !== EXIT.exportFailed) return waited;
  if (args.download === undefined) return code === 0 ? waited : code;
  let downloadFailed = false;
  let exportFailed = false;
  for (const t of targets) {
    if (io.signal.aborted) break;
    if (deadline !== undefined && Date.now() >= deadline.at) {
      io.stderr.write(`clouddc-exporter: --timeout: gave up after ${formatDuration(deadline.ms)}; export ${t.exportId} and any after it not downloaded\n`);
      downloadFailed = true;
      break;
    }
    const outcome = await downloadExport(ctx, t, args.download, {
      overwrite: args.overwrite,
      stderr: io.stderr,
      signal: io.signal,
      ...(deadline !== undefined && { deadline }),
    });
    if (outcome.ok) {
      io.stdout.write(`${outcome.path}\n`);
    } else {
      io.stderr.write(`clouddc-exporter: ${outcome.message}\n`);
      if (outcome.exportFailed === true) exportFailed = true;
      else downloadFailed = true;
    }
  }
  if (downloadFailed || code !== 0) return EXIT.error;
  return exportFailed || waited === EXIT.exportFailed ? EXIT.exportFailed : EXIT.ok;
}

async function startAll(ctx: ExportContext, servers: readonly string[], signal: AbortSignal): Promise<StartedRow[]> {
  const rows: StartedRow[] = [];
  for (const serverId of servers) {
    if (signal.aborted) break;
    const r = await ctx.api.start(serverId, signal);
    rows.push(
      r.ok
        ? {
            serverId,
            ok: true,
            exportId: r.exportId,
            status: r.observation.rawStatus,
            percentage: r.observation.percentage,
            createdAt: r.observation.createdAt,
          }
        : { serverId, ok: false, error: describeFailure(r.failure), maybeStarted: r.maybeStarted },
    );
  }
  return rows;
}
