import { exportsJson, type ExportJson } from '../view-model/export-json.js';
import type { ExportState } from '../domain/export-state.js';
import { EXIT } from './exit-codes.js';

/**
 * The run loops of --once and --wait, free of process, terminal and network: the poller, the clocks and the
 * output are passed in, so tests drive them with fakes and a fake clock.
 */

export interface PollDriver {
  /** One poll of every export; resolves when all answered (or failed). */
  pollOnce(): Promise<void>;
  /** Polls on the config's schedule, the first cycle at once; `onCycle` runs after every finished cycle. */
  start(onCycle: () => void): void;
  states(): Iterable<ExportState>;
}

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface LoopOptions {
  readonly driver: PollDriver;
  /** ms since the epoch. */
  readonly now: () => number;
  readonly sleep: Sleep;
  /** Overall limit; undefined: none. */
  readonly timeoutMs?: number;
  /** SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface WaitOptions extends LoopOptions {
  /** How often the exports are looked at between cycles (progress of a spread cycle shows up); default 1 s. */
  readonly checkEveryMs?: number;
  /** Called with the current rows at every look, trouble first. */
  readonly onUpdate?: (rows: readonly ExportJson[]) => void;
}

export type OnceOutcome = 'answered' | 'poll_failed' | 'timeout' | 'interrupted';
export type WaitOutcome = 'completed' | 'failed' | 'timeout' | 'interrupted';

export interface LoopResult<O> {
  readonly outcome: O;
  /** The rows at the end, as /api/v1/exports would show them. */
  readonly rows: ExportJson[];
  /** The clock at the end, Unix seconds (the rows' ages are relative to it). */
  readonly nowSeconds: number;
}

/** Exit codes, as documented in docs/cli.md. Interruption is 128 + the signal's number, as a shell reports it. */

export function onceExitCode(outcome: OnceOutcome): number {
  return outcome === 'answered' ? EXIT.ok : EXIT.error;
}

export function waitExitCode(outcome: WaitOutcome): number {
  return outcome === 'completed' ? EXIT.ok : outcome === 'failed' ? EXIT.exportFailed : EXIT.error;
}

/**
 * Where an export stands for --wait: completed, failed (a failed status outranks a failing poll, see
 * conditionOf), or retired (a not_found retirement counts as failed: the export is gone); `pending` otherwise,
 * including while its polls fail.
 */
export function settled(row: ExportJson): 'completed' | 'failed' | 'pending' {
  if (row.condition === 'completed') return 'completed';
  if (row.condition === 'failed') return 'failed';
  if (row.retired) return row.retired.reason === 'completed' ? 'completed' : 'failed';
  return 'pending';
}

/** The verdict over all exports, or undefined while any is pending. */
export function verdict(rows: readonly ExportJson[]): 'completed' | 'failed' | undefined {
  const states = rows.map(settled);
  if (states.includes('pending')) return undefined;
  return states.includes('failed') ? 'failed' : 'completed';
}

function snapshot<O>(driver: PollDriver, now: () => number, outcome: O): LoopResult<O> {
  const nowSeconds = now() / 1000;
  return { outcome, rows: exportsJson(driver.states(), nowSeconds), nowSeconds };
}

/** Sleeps until `ms` passed, `signal` aborted, or `wake` was called, whichever is first. */
function napper(sleep: Sleep, signal: AbortSignal) {
  let wake: (() => void) | undefined;
  return {
    wake: () => wake?.(),
    async nap(ms: number): Promise<void> {
      const ac = new AbortController();
      const stop = () => ac.abort();
      wake = stop;
      signal.addEventListener('abort', stop, { once: true });
      try {
        if (!signal.aborted) await sleep(ms, ac.signal);
      } finally {
        signal.removeEventListener('abort', stop);
        wake = undefined;
      }
    },
  };
}

/** --once: one poll of every export. `answered` when every export's poll succeeded. */
export async function runOnce(opts: LoopOptions): Promise<LoopResult<OnceOutcome>> {
  const { driver, now, signal } = opts;
  const started = now();
  const waiter = napper(opts.sleep, signal);
  let finished = false;
  const done = () => {
    finished = true;
    waiter.wake();
  };
  void driver.pollOnce().then(done, done);
  while (!finished) {
    if (signal.aborted) return snapshot(driver, now, 'interrupted');
    // Without a limit, wake up once an hour just to look again; the poll's end wakes the loop at once.
    const remaining = opts.timeoutMs === undefined ? 3_600_000 : opts.timeoutMs - (now() - started);
    if (remaining <= 0) return snapshot(driver, now, 'timeout');
    await waiter.nap(remaining);
  }
  const result = snapshot<OnceOutcome>(driver, now, 'answered');
  const allAnswered = result.rows.every((r) => r.poll_success === true || r.retired !== null);
  return allAnswered ? result : { ...result, outcome: 'poll_failed' };
}

/** --wait: poll on the schedule until every export completed or failed, the time runs out, or a signal. */
export async function runWait(opts: WaitOptions): Promise<LoopResult<WaitOutcome>> {
  const { driver, now, signal } = opts;
  const every = opts.checkEveryMs ?? 1000;
  const started = now();
  const waiter = napper(opts.sleep, signal);
  driver.start(waiter.wake);
  for (;;) {
    const current = snapshot(driver, now, undefined);
    opts.onUpdate?.(current.rows);
    const done = verdict(current.rows);
    if (done !== undefined) return { ...current, outcome: done };
    if (signal.aborted) return { ...current, outcome: 'interrupted' };
    const remaining = opts.timeoutMs === undefined ? every : opts.timeoutMs - (now() - started);
    if (remaining <= 0) return { ...current, outcome: 'timeout' };
    await waiter.nap(Math.min(every, remaining));
  }
}
