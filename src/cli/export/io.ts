import type { Output } from '../progress.js';

/** Where an `export` subcommand writes, and what stops it. */
export interface ExportIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: Output;
  /** Aborted on SIGINT or SIGTERM, with the signal's name as the reason. */
  readonly signal: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}
