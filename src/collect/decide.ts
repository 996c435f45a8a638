import type { AutoCollectSettings } from '../domain/auto-collect.js';
import { ALARM_LEVELS, type AlarmCounts, type AlarmLevel, type HealthState } from '../domain/fleet.js';
import type { ServerRecord } from './ledger.js';

/**
 * The one rule of automatic collection, pure: a server entering a triggering state (or found in one with nothing
 * remembered about it) is a new incident; a new incident within the cooldown of the last action, or beyond the
 * hour's budget, is skipped; otherwise it gets one start (or, in a dry run, the decision alone). An incident that
 * goes on makes no further decision, so a server staying Critical for a week gets one export, not one per round.
 */

/** A failed start that provably reached nothing is tried again on later rounds, at most this many times in all. */
export const MAX_ATTEMPTS = 3;

export interface Observed {
  readonly account: string;
  readonly projectId: string;
  readonly serverId: string;
  readonly serverName: string;
  readonly health: HealthState;
  /** Undefined when the account does not fetch alarms. */
  readonly alarms: AlarmCounts | undefined;
}

export type Decision =
  | { readonly kind: 'none' }
  | { readonly kind: 'skip'; readonly result: 'cooldown' | 'budget'; readonly trigger: string }
  | { readonly kind: 'dry_run'; readonly trigger: string }
  | { readonly kind: 'start'; readonly trigger: string; readonly attempt: number };

/** Active alarms at `level` or worse (urgent is the worst). */
export function alarmsAtOrAbove(counts: AlarmCounts | undefined, level: AlarmLevel | undefined): number {
  if (counts === undefined || level === undefined) return 0;
  let n = 0;
  for (const l of ALARM_LEVELS.slice(0, ALARM_LEVELS.indexOf(level) + 1)) n += counts[l];
  return n;
}

export interface Decided {
  readonly decision: Decision;
  /** The record with this round's observation; the caller adds what the action came to. */
  readonly record: ServerRecord;
}

export function decide(prev: ServerRecord | undefined, seen: Observed, settings: AutoCollectSettings, callsInHour: number, nowSeconds: number): Decided {
  const matching = (settings.healthStates as readonly string[]).includes(seen.health);
  const alarms = alarmsAtOrAbove(seen.alarms, settings.alarmLevel);
  const base: ServerRecord = {
    ...prev,
    account: seen.account,
    projectId: seen.projectId,
    serverId: seen.serverId,
    serverName: seen.serverName,
    matching,
    alarms,
  };
  const entered = matching && prev?.matching !== true;
  const newAlarm = settings.alarmLevel !== undefined && alarms > (prev?.alarms ?? 0);
  const overBudget = callsInHour + 1 > settings.maxPerHour;

  if (!entered && !newAlarm) {
    const retry =
      prev?.result === 'failed' && prev.maybeStarted === false && (prev.attempts ?? 0) < MAX_ATTEMPTS && (matching || alarms > 0) && !settings.dryRun;
    // A retry waits for the budget quietly: it was counted when it failed.
    if (retry && !overBudget) return { decision: { kind: 'start', trigger: prev.trigger ?? '', attempt: (prev.attempts ?? 0) + 1 }, record: base };
    return { decision: { kind: 'none' }, record: base };
  }
  const trigger = entered ? `health_state=${seen.health}` : `alarm_level=${settings.alarmLevel}`;
  if (prev?.actedAt !== undefined && nowSeconds - prev.actedAt < settings.cooldownMs / 1000) {
    return { decision: { kind: 'skip', result: 'cooldown', trigger }, record: base };
  }
  if (overBudget) return { decision: { kind: 'skip', result: 'budget', trigger }, record: base };
  if (settings.dryRun) return { decision: { kind: 'dry_run', trigger }, record: base };
  return { decision: { kind: 'start', trigger, attempt: 1 }, record: base };
}
