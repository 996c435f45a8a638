import { describe, expect, it } from 'vitest';
import { alarmsAtOrAbove, decide, MAX_ATTEMPTS, type Observed } from '../../src/collect/decide.js';
import type { ServerRecord } from '../../src/collect/ledger.js';
import type { AutoCollectSettings } from '../../src/domain/auto-collect.js';

const S: AutoCollectSettings = { healthStates: ['Critical'], cooldownMs: 3_600_000, maxPerHour: 2, dryRun: false };
const seen = (health: Observed['health'], urgent = 0, important = 0): Observed => ({
  account: 'main',
  projectId: 'p',
  serverId: 's',
  serverName: 'bm-1',
  health,
  alarms: { urgent, important, minor: 0, info: 0 },
});
const NOW = 1_000_000;

describe('decide', () => {
  it('starts on entering a triggering state, and decides nothing while it lasts or on other states', () => {
    const first = decide(undefined, seen('Critical'), S, 0, NOW);
    expect(first.decision).toEqual({ kind: 'start', trigger: 'health_state=Critical', attempt: 1 });
    expect(first.record).toMatchObject({ matching: true, alarms: 0 });
    const acted: ServerRecord = { ...first.record, actedAt: NOW, result: 'started', exportId: '1' };
    expect(decide(acted, seen('Critical'), S, 1, NOW + 60).decision).toEqual({ kind: 'none' });
    expect(decide(undefined, seen('Warning'), S, 0, NOW).decision).toEqual({ kind: 'none' });
  });

  it('skips a new incident within the cooldown, and one beyond the budget', () => {
    const prev: ServerRecord = {
      account: 'main',
      projectId: 'p',
      serverId: 's',
      serverName: 'bm-1',
      matching: false,
      alarms: 0,
      actedAt: NOW - 100,
      result: 'started',
    };
    expect(decide(prev, seen('Critical'), S, 0, NOW).decision).toEqual({ kind: 'skip', result: 'cooldown', trigger: 'health_state=Critical' });
    expect(decide({ ...prev, actedAt: NOW - 3600 }, seen('Critical'), S, 0, NOW).decision.kind).toBe('start');
    expect(decide(undefined, seen('Critical'), S, 2, NOW).decision).toEqual({ kind: 'skip', result: 'budget', trigger: 'health_state=Critical' });
    // A fractional share (a shard's) rounds down.
    expect(decide(undefined, seen('Critical'), { ...S, maxPerHour: 0.67 }, 0, NOW).decision.kind).toBe('skip');
  });

  it('in a dry run, decides dry_run', () => {
    expect(decide(undefined, seen('Critical'), { ...S, dryRun: true }, 0, NOW).decision).toEqual({ kind: 'dry_run', trigger: 'health_state=Critical' });
  });

  it('triggers on a new alarm at the level or worse', () => {
    const s = { ...S, alarmLevel: 'important' as const };
    expect(alarmsAtOrAbove(seen('OK', 1, 2).alarms, 'important')).toBe(3);
    expect(alarmsAtOrAbove(seen('OK', 1, 2).alarms, 'urgent')).toBe(1);
    const first = decide(undefined, seen('OK', 0, 1), s, 0, NOW);
    expect(first.decision).toEqual({ kind: 'start', trigger: 'alarm_level=important', attempt: 1 });
    expect(decide(first.record, seen('OK', 0, 1), s, 0, NOW).decision.kind).toBe('none');
    expect(decide({ ...first.record, actedAt: NOW }, seen('OK', 1, 1), s, 0, NOW + 1).decision.kind).toBe('skip');
  });

  it('retries only a failure that provably started nothing, up to the limit, and never one that may have', () => {
    const failed: ServerRecord = {
      account: 'main',
      projectId: 'p',
      serverId: 's',
      serverName: 'bm-1',
      matching: true,
      alarms: 0,
      actedAt: NOW,
      trigger: 'health_state=Critical',
      result: 'failed',
      attempts: 1,
      maybeStarted: false,
    };
    expect(decide(failed, seen('Critical'), S, 1, NOW + 60).decision).toEqual({ kind: 'start', trigger: 'health_state=Critical', attempt: 2 });
    expect(decide({ ...failed, attempts: MAX_ATTEMPTS }, seen('Critical'), S, 1, NOW + 60).decision.kind).toBe('none');
    expect(decide({ ...failed, maybeStarted: true }, seen('Critical'), S, 1, NOW + 60).decision.kind).toBe('none');
    expect(decide(failed, seen('OK'), S, 1, NOW + 60).decision.kind).toBe('none');
    expect(decide(failed, seen('Critical'), S, 2, NOW + 60).decision.kind).toBe('none');
  });
});
