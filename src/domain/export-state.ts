import type { ExportTarget, Observation } from './export.js';
import { PREINITIALISED_ERROR_CODES, type PollResult } from './poll.js';

export interface LastError {
  readonly reason: string;
  readonly message: string;
  readonly errorCode?: string;
  readonly requestId?: string;
  /** Unix seconds. */
  readonly at: number;
}

/**
 * What the exporter knows about one export. Only facts observed by polls live here; every metric
 * is derived from it by pure functions. All times are Unix seconds.
 */
export interface ExportState {
  readonly target: ExportTarget;
  readonly observation?: Observation;
  /** When a poll first saw `completed`. */
  readonly completedAt?: number;
  /** When status or percentage last changed; the first observation counts as a change. */
  readonly lastProgressAt?: number;
  /** Undefined until the first poll finishes. */
  readonly lastPollOk?: boolean;
  readonly lastPollAt?: number;
  readonly lastSuccessAt?: number;
  /** Failed polls by reason. Counters only grow while the export is tracked. */
  readonly errors: ReadonlyMap<string, number>;
  readonly lastError?: LastError;
  /** Start of the current unbroken run of 404 answers. */
  readonly notFoundSince?: number;
  /** When a poll first saw `failed`, unless a later answer reported another status. */
  readonly failedSince?: number;
  /** Set once the export outlived its retention: no series, no polls, until it leaves the config. */
  readonly retired?: { readonly at: number; readonly reason: RetireReason };
  /**
   * Status and percentage last seen before a restart (from the state file). The first poll after a
   * restart compares against it, so a restart alone does not count as progress.
   */
  readonly baseline?: { readonly status: string; readonly percentage: number };
}

export type RetireReason = 'completed' | 'failed' | 'not_found';

export interface Retention {
  readonly completedMs: number;
  readonly notFoundMs: number;
  readonly failedMs: number;
}

/** Every field of ExportState, none optional: a literal of this type must name them all. */
type AllFields = { readonly [K in keyof Required<ExportState>]: ExportState[K] };

/**
 * Every state object is built here with the same fields in the same order, so all of them share
 * one hidden class in V8 (see docs/architecture.md). The literal is typed AllFields: a field added
 * to ExportState and not listed here does not compile, instead of being dropped silently.
 */
function shaped(s: ExportState): ExportState {
  const all: AllFields = {
    target: s.target,
    observation: s.observation,
    completedAt: s.completedAt,
    lastProgressAt: s.lastProgressAt,
    lastPollOk: s.lastPollOk,
    lastPollAt: s.lastPollAt,
    lastSuccessAt: s.lastSuccessAt,
    errors: s.errors,
    lastError: s.lastError,
    notFoundSince: s.notFoundSince,
    failedSince: s.failedSince,
    retired: s.retired,
    baseline: s.baseline,
  };
  return all;
}

/** A new state: `prev` with `changes` applied; `prev` is never modified. */
export function withChanges(prev: ExportState, changes: Partial<ExportState>): ExportState {
  return shaped({ ...prev, ...changes });
}

/** Shared until an export's first failure copies it: most exports never fail. */
const NO_ERRORS: ReadonlyMap<string, number> = new Map(PREINITIALISED_ERROR_CODES.map((code) => [code, 0]));

export function initialState(target: ExportTarget): ExportState {
  return shaped({ target, errors: NO_ERRORS });
}

function progressed(prev: { status: string; percentage: number } | undefined, next: Observation): boolean {
  return prev === undefined || prev.status !== next.status || prev.percentage !== next.percentage;
}

/** The state after one poll. Pure: `prev` is never modified. */
export function applyPollResult(prev: ExportState, result: PollResult, now: number): ExportState {
  if (result.ok) {
    const obs = result.observation;
    return withChanges(prev, {
      observation: obs,
      completedAt: prev.completedAt ?? (obs.status === 'completed' ? now : undefined),
      lastProgressAt: progressed(prev.observation ?? prev.baseline, obs) ? now : prev.lastProgressAt,
      lastPollOk: true,
      lastPollAt: now,
      lastSuccessAt: now,
      notFoundSince: undefined,
      // A failed export stays failed; should CloudDC report it again as anything else, the count restarts.
      failedSince: obs.status === 'failed' ? (prev.failedSince ?? now) : undefined,
      baseline: undefined,
    });
  }
  const errors = new Map(prev.errors);
  errors.set(result.reason, (errors.get(result.reason) ?? 0) + 1);
  return withChanges(prev, {
    lastPollOk: false,
    lastPollAt: now,
    notFoundSince: result.reason === '404' ? (prev.notFoundSince ?? now) : undefined,
    errors,
    lastError: {
      reason: result.reason,
      message: result.message,
      errorCode: result.errorCode,
      requestId: result.requestId,
      at: now,
    },
  });
}

/** Completed exports keep their final state and are not polled again; retired ones are not polled at all. */
export function needsPolling(state: ExportState): boolean {
  return state.retired === undefined && state.observation?.status !== 'completed';
}

/** Why an export should be retired at `now` (seconds), if it should. */
export function retirementDue(state: ExportState, now: number, retention: Retention): RetireReason | undefined {
  if (state.retired) return undefined;
  if (state.completedAt !== undefined && (now - state.completedAt) * 1000 >= retention.completedMs) return 'completed';
  if (state.notFoundSince !== undefined && (now - state.notFoundSince) * 1000 >= retention.notFoundMs) return 'not_found';
  if (state.failedSince !== undefined && (now - state.failedSince) * 1000 >= retention.failedMs) return 'failed';
  return undefined;
}

export function retire(state: ExportState, reason: RetireReason, now: number): ExportState {
  return withChanges(state, { retired: { at: now, reason } });
}

/**
 * Carries what was learned about an export over to a new target definition (a reload that
 * changed only its name, labels or account keeps counters and progress).
 */
export function retarget(state: ExportState, target: ExportTarget): ExportState {
  return state.target === target ? state : withChanges(state, { target });
}
