import { setTimeout as delay } from 'node:timers/promises';
import type { ExporterConfig } from '../domain/config.js';
import type { ExportJson } from '../view-model/export-json.js';
import { createSelfMetrics } from '../metrics/self-metrics.js';
import { Exporter, type SourceFactory } from '../runtime/exporter.js';
import { createLogger, type LogFormat } from '../logging/logger.js';
import { shardConfig, type Shard } from '../poller/shard.js';
import { apiSourceFactory } from '../runtime/start.js';
import { VERSION } from '../version.js';
import type { LogLevel, OutputFormat } from './flags.js';
import { exportLabel, formatJson, formatTable } from './format.js';
import { createProgressReporter, type Output, type ProgressReporter } from './progress.js';
import { onceExitCode, runOnce, runWait, settled, waitExitCode, type LoopResult, type PollDriver, type Sleep } from './wait-loop.js';
import { formatDuration } from '../config/duration.js';

/**
 * --once and --wait: the exporter's poller without its HTTP server. The table or JSON goes to standard output,
 * progress, log lines and the closing summary to standard error, so `--output json > result.json` stays clean.
 */

export interface OneShotOptions {
  readonly config: ExporterConfig;
  readonly mode: 'once' | 'wait';
  readonly output: OutputFormat;
  readonly timeoutMs?: number;
  readonly logLevel: LogLevel;
  /** `--log.format`; JSON when unset. */
  readonly logFormat?: LogFormat;
  readonly shard?: Shard;
  /** Replaces the real API clients (tests). */
  readonly makeSource?: SourceFactory;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  /** How often --wait looks at the exports between cycles; default 1 s. */
  readonly checkEveryMs?: number;
}

export interface OneShotIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: Output;
  /** Aborted on SIGINT or SIGTERM, with the signal's name as the reason. */
  readonly signal: AbortSignal;
}

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

/** 128 + the signal number, as a shell reports a process ended by it. */
export function interruptedExitCode(reason: unknown): number {
  return reason === 'SIGTERM' ? 143 : 130;
}

function names(rows: readonly ExportJson[], limit = 5): string {
  const shown = rows.slice(0, limit).map(exportLabel).join(', ');
  return rows.length > limit ? `${shown}, and ${rows.length - limit} more` : shown;
}

function summary(mode: 'once' | 'wait', result: LoopResult<string>, timeoutMs: number | undefined): string | undefined {
  const { rows } = result;
  const total = `${rows.length} export${rows.length === 1 ? '' : 's'}`;
  switch (result.outcome) {
    case 'answered':
      return undefined;
    case 'poll_failed': {
      const failing = rows.filter((r) => r.poll_success !== true && r.retired === null);
      return `${failing.length} of ${total} could not be polled: ${names(failing)}`;
    }
    case 'completed':
      return `all ${total} completed`;
    case 'failed': {
      const failed = rows.filter((r) => settled(r) === 'failed');
      return `${failed.length} of ${total} failed: ${names(failed)}`;
    }
    case 'timeout': {
      const open = mode === 'wait' ? rows.filter((r) => settled(r) === 'pending') : rows.filter((r) => r.poll_success === null);
      const what = mode === 'wait' ? 'not finished' : 'not answered';
      return `--timeout: gave up after ${formatDuration(timeoutMs ?? 0)}; ${open.length} of ${total} ${what}: ${names(open)}`;
    }
    case 'interrupted':
      return 'interrupted';
    default:
      return undefined;
  }
}

export async function runOneShot(opts: OneShotOptions, io: OneShotIo): Promise<number> {
  const now = opts.now ?? Date.now;
  const reporter: ProgressReporter | undefined = opts.mode === 'wait' ? createProgressReporter(io.stderr) : undefined;
  const logger = createLogger(opts.logLevel, { write: (line: string) => (reporter ? reporter.log(line) : io.stderr.write(line)) }, opts.logFormat);
  const config = shardConfig(opts.config, opts.shard ?? { index: 0, total: 1 });
  const metrics = createSelfMetrics({ version: VERSION, defaultMetrics: false, requestTimeoutSeconds: config.poll.timeoutMs / 1000 });
  let onCycle = (): void => undefined;
  const exporter = new Exporter({
    config,
    logger,
    metrics,
    makeSource: opts.makeSource ?? apiSourceFactory({ logger, ...(opts.now && { now: opts.now }) }, metrics),
    ...(opts.now && { now: opts.now }),
    afterCycle: async () => onCycle(),
  });
  const driver: PollDriver = {
    pollOnce: () => exporter.pollOnce(),
    start: (cb) => {
      onCycle = cb;
      exporter.start();
    },
    states: () => exporter.store.states(),
  };
  const loop = {
    driver,
    now,
    sleep: opts.sleep ?? realSleep,
    signal: io.signal,
    ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
  };
  let result: LoopResult<string>;
  let code: number;
  try {
    if (opts.mode === 'once') {
      const r = await runOnce(loop);
      result = r;
      code = onceExitCode(r.outcome);
    } else {
      const r = await runWait({
        ...loop,
        ...(opts.checkEveryMs !== undefined && { checkEveryMs: opts.checkEveryMs }),
        onUpdate: (rows) => reporter?.update(rows),
      });
      result = r;
      code = waitExitCode(r.outcome);
    }
  } finally {
    // Whatever is still in flight (a failed export's re-poll, a cut-short cycle) is not waited for.
    await exporter.stop(0);
  }
  if (result.outcome === 'interrupted') code = interruptedExitCode(io.signal.reason);
  reporter?.finish();
  io.stdout.write(opts.output === 'json' ? formatJson(result.rows, result.nowSeconds) : formatTable(result.rows));
  const text = summary(opts.mode, result, opts.timeoutMs);
  if (text !== undefined) io.stderr.write(`clouddc-exporter: ${text}\n`);
  return code;
}
