import { describe, expect, it } from 'vitest';
import { applyPollResult, initialState, needsPolling } from '../../src/domain/export-state.js';
import { failure, success, target } from '../support/factories.js';

describe('export state transitions', () => {
  it('starts with no observation and the pre-initialised error codes at zero', () => {
    const s = initialState(target());
    expect(s.observation).toBeUndefined();
    expect(s.lastPollOk).toBeUndefined();
    expect([...s.errors]).toEqual([
      ['401', 0],
      ['429', 0],
      ['500', 0],
    ]);
  });

  it('counts the first observation as progress and ignores repeats', () => {
    let s = applyPollResult(initialState(target()), success({ percentage: 10 }), 100);
    expect(s.lastProgressAt).toBe(100);
    s = applyPollResult(s, success({ percentage: 10 }), 130);
    expect(s.lastProgressAt).toBe(100);
    expect(s.lastSuccessAt).toBe(130);
    s = applyPollResult(s, success({ percentage: 20 }), 160);
    expect(s.lastProgressAt).toBe(160);
    s = applyPollResult(s, success({ percentage: 20, status: 'unknown', rawStatus: 'Queued' }), 190);
    expect(s.lastProgressAt).toBe(190);
  });

  it('keeps the last observation through failures and counts them by reason', () => {
    let s = applyPollResult(initialState(target()), success(), 100);
    s = applyPollResult(s, failure('429'), 130);
    s = applyPollResult(s, failure('timeout', 'timed out'), 160);
    s = applyPollResult(s, failure('429'), 190);
    expect(s.observation?.percentage).toBe(30);
    expect(s.lastPollOk).toBe(false);
    expect(s.lastSuccessAt).toBe(100);
    expect(s.errors.get('429')).toBe(2);
    expect(s.errors.get('timeout')).toBe(1);
    expect(s.errors.get('401')).toBe(0);
    expect(s.lastError).toMatchObject({ reason: '429', at: 190 });
  });

  it('records completion once and stops polling completed exports only', () => {
    let s = applyPollResult(initialState(target()), success({ status: 'completed', percentage: 100 }), 500);
    expect(s.completedAt).toBe(500);
    expect(needsPolling(s)).toBe(false);
    s = applyPollResult(s, success({ status: 'completed', percentage: 100 }), 530);
    expect(s.completedAt).toBe(500);
    const failed = applyPollResult(initialState(target()), success({ status: 'failed' }), 1);
    expect(needsPolling(failed)).toBe(true);
  });

  it('never mutates the previous state', () => {
    const s0 = initialState(target());
    const s1 = applyPollResult(s0, failure('500'), 1);
    expect(s0.errors.get('500')).toBe(0);
    expect(s1.errors.get('500')).toBe(1);
  });
});

describe('export lifecycle', () => {
  const retention = { completedMs: 24 * 3600_000, notFoundMs: 3600_000, failedMs: 7 * 24 * 3600_000 };

  it('retires a completed export once retention.completed has passed', async () => {
    const { retirementDue, retire } = await import('../../src/domain/export-state.js');
    const s = applyPollResult(initialState(target()), success({ status: 'completed', percentage: 100 }), 1000);
    expect(retirementDue(s, 1000 + 24 * 3600 - 1, retention)).toBeUndefined();
    expect(retirementDue(s, 1000 + 24 * 3600, retention)).toBe('completed');
    const r = retire(s, 'completed', 1000 + 24 * 3600);
    expect(needsPolling(r)).toBe(false);
    expect(retirementDue(r, 1e9, retention)).toBeUndefined();
  });

  it('retires a failed export once retention.failed has passed, counted from the first failed answer', async () => {
    const { retirementDue, retire } = await import('../../src/domain/export-state.js');
    const week = 7 * 24 * 3600;
    let s = applyPollResult(initialState(target()), success({ status: 'failed', percentage: 40 }), 1000);
    // A failing poll in between neither restarts nor ends the count: the export is still failed.
    s = applyPollResult(s, failure('500'), 2000);
    s = applyPollResult(s, success({ status: 'failed', percentage: 40 }), 3000);
    expect(s.failedSince).toBe(1000);
    expect(retirementDue(s, 1000 + week - 1, retention)).toBeUndefined();
    expect(retirementDue(s, 1000 + week, retention)).toBe('failed');
    expect(needsPolling(retire(s, 'failed', 1000 + week))).toBe(false);
    // Reported as anything else again: the count starts afresh at the next failed answer.
    s = applyPollResult(s, success({ status: 'processing', percentage: 41 }), 4000);
    expect(s.failedSince).toBeUndefined();
    expect(retirementDue(s, 1000 + week, retention)).toBeUndefined();
  });

  it('retires after an unbroken hour of 404s, and any other answer restarts the count', async () => {
    const { retirementDue } = await import('../../src/domain/export-state.js');
    let s = applyPollResult(initialState(target()), failure('404'), 0);
    s = applyPollResult(s, failure('404'), 1800);
    expect(s.notFoundSince).toBe(0);
    expect(retirementDue(s, 3599, retention)).toBeUndefined();
    expect(retirementDue(s, 3600, retention)).toBe('not_found');
    s = applyPollResult(s, failure('500'), 3000);
    expect(s.notFoundSince).toBeUndefined();
    s = applyPollResult(s, failure('404'), 3100);
    expect(retirementDue(s, 3600, retention)).toBeUndefined();
    expect(retirementDue(s, 3100 + 3600, retention)).toBe('not_found');
  });

  it('measures progress against the persisted baseline after a restart', () => {
    const restored = { ...initialState(target()), lastProgressAt: 500, baseline: { status: 'processing', percentage: 30 } };
    const same = applyPollResult(restored, success({ percentage: 30 }), 900);
    expect(same.lastProgressAt).toBe(500);
    expect(same.baseline).toBeUndefined();
    const moved = applyPollResult(restored, success({ percentage: 31 }), 900);
    expect(moved.lastProgressAt).toBe(900);
  });
});
