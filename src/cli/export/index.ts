import { createLogger } from '../../logging/logger.js';
import { EXPORT_HELP, parseExportArgs } from './args.js';
import { openContext } from './context.js';
import { downloadExport } from '../../bundles/download.js';
import type { ExportIo } from './io.js';
import { runStart } from './start.js';
import { EXIT } from '../exit-codes.js';

/** `clouddc-exporter export …`: the exit code. */
export async function runExportCommand(argv: readonly string[], io: ExportIo): Promise<number> {
  const parsed = parseExportArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`clouddc-exporter: ${parsed.problems.join('\n')}\n\n${EXPORT_HELP}`);
    return EXIT.usage;
  }
  const args = parsed.value;
  if (args.command === 'help') {
    io.stdout.write(EXPORT_HELP);
    return 0;
  }
  // logfmt, the exporter's default log format.
  const logger = createLogger(args.logLevel, { write: (line: string) => io.stderr.write(line) }, 'logfmt');
  const opened = await openContext(args.configFile, args.account, logger, io.env);
  if (!opened.ok) {
    io.stderr.write(`clouddc-exporter: ${opened.problems.join('\n')}\n`);
    return 1;
  }
  const ctx = opened.value;
  try {
    if (args.command === 'download') {
      const key = { projectId: ctx.account.projectId, serverId: args.server, exportId: args.exportId };
      const outcome = await downloadExport(ctx, key, args.dir, {
        overwrite: args.overwrite,
        stderr: io.stderr,
        signal: io.signal,
        ...(args.timeoutMs !== undefined && { deadline: { at: Date.now() + args.timeoutMs, ms: args.timeoutMs } }),
      });
      if (outcome.ok) {
        io.stdout.write(`${outcome.path}\n`);
        return 0;
      }
      io.stderr.write(`clouddc-exporter: ${outcome.message}\n`);
      return io.signal.aborted ? interrupted(io.signal) : 1;
    }
    const code = await runStart(ctx, args, io, logger);
    return io.signal.aborted ? interrupted(io.signal) : code;
  } finally {
    await ctx.close();
  }
}

function interrupted(signal: AbortSignal): number {
  return signal.reason === 'SIGTERM' ? 143 : 130;
}
