import { describe, expect, it } from 'vitest';
import { applyPollResult, initialState, retire, type ExportState } from '../../src/domain/export-state.js';
import { conditionOf, exportsJson, STUCK_AFTER_SECONDS, toExportJson } from '../../src/view-model/export-json.js';
import { failure, success, target } from '../support/factories.js';

const NOW = 1_750_010_000;

/** One state per condition, built through the real state transitions. */
function states(): Record<string, ExportState> {
  const t = (exportId: string, name: string) => initialState(target({ exportId, name }));
  const ok = (s: ExportState, obs: Parameters<typeof success>[0], at: number) => applyPollResult(s, success(obs), at);
  return {
    completed: ok(t('1', 'a-completed'), { status: 'completed', rawStatus: 'COMPLETED', percentage: 100 }, NOW - 60),
    processing: ok(t('2', 'b-processing'), { percentage: 40 }, NOW - 10),
    retired: retire(ok(t('3', 'c-retired'), { status: 'completed', percentage: 100 }, NOW - 90_000), 'completed', NOW - 5),
    stuck: ok(t('4', 'd-stuck'), { percentage: 45 }, NOW - STUCK_AFTER_SECONDS - 1),
    unknown: ok(t('5', 'e-unknown'), { status: 'unknown', rawStatus: 'Queued', percentage: 0 }, NOW - 5),
    notPolled: t('6', 'f-new'),
    pollFailing: applyPollResult(t('7', 'g-500'), { ...failure('500', 'HTTP 500: internal error'), errorCode: 'iMetal.9999', requestId: 'req-1' }, NOW - 3),
    failed: ok(t('8', 'h-failed'), { status: 'failed', percentage: 60 }, NOW - 20),
  };
}

describe('export JSON mapping', () => {
  it('derives the condition, trouble before health', () => {
    const s = states();
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, conditionOf(v, NOW)]))).toEqual({
      completed: 'completed',
      processing: 'processing',
      retired: 'retired',
      stuck: 'stuck',
      unknown: 'unknown',
      notPolled: 'not_polled',
      pollFailing: 'poll_failing',
      failed: 'failed',
    });
    // Exactly at the threshold is not yet stuck; one second later it is.
    const edge = applyPollResult(initialState(target()), success(), NOW - STUCK_AFTER_SECONDS);
    expect(conditionOf(edge, NOW)).toBe('processing');
    expect(conditionOf(edge, NOW + 1)).toBe('stuck');
    // A failed export whose poll also fails stays "failed": the worse fact wins.
    expect(conditionOf(applyPollResult(s.failed!, failure('503'), NOW), NOW)).toBe('failed');
  });

  it('sorts trouble first: failed, poll failing, not polled, stuck, unknown, processing, completed, retired', () => {
    expect(exportsJson(Object.values(states()), NOW).map((e) => e.condition)).toEqual([
      'failed',
      'poll_failing',
      'not_polled',
      'stuck',
      'unknown',
      'processing',
      'completed',
      'retired',
    ]);
  });

  it('breaks ties by name, then ids, independent of input order', () => {
    const mk = (exportId: string, name: string) => applyPollResult(initialState(target({ exportId, name })), success(), NOW);
    const input = [mk('2', 'b'), mk('1', 'b'), mk('9', 'a')];
    const ids = (xs: ExportState[]) => exportsJson(xs, NOW).map((e) => e.export_id);
    expect(ids(input)).toEqual(['9', '1', '2']);
    expect(ids([...input].reverse())).toEqual(['9', '1', '2']);
  });

  it('maps every field with snake_case names, ISO times and nulls for unknown facts', () => {
    const s = states();
    expect(toExportJson(s.unknown!, NOW)).toEqual({
      project_id: '0123456789abcdef0123456789abcdef',
      server_id: '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8',
      export_id: '5',
      account: 'main',
      name: 'e-unknown',
      labels: {},
      condition: 'unknown',
      status: 'unknown',
      raw_status: 'Queued',
      percentage: 0,
      created_at: '2025-06-15T15:06:40.000Z',
      age_seconds: NOW - 1_750_000_000,
      completed_at: null,
      last_progress_at: new Date((NOW - 5) * 1000).toISOString(),
      last_poll_at: new Date((NOW - 5) * 1000).toISOString(),
      last_success_at: new Date((NOW - 5) * 1000).toISOString(),
      poll_success: true,
      retired: null,
      errors: { '401': 0, '429': 0, '500': 0 },
      last_error: null,
    });
    const failing = toExportJson(s.pollFailing!, NOW);
    expect(failing).toMatchObject({ status: null, raw_status: null, percentage: null, created_at: null, age_seconds: null, poll_success: false });
    expect(failing.errors['500']).toBe(1);
    expect(failing.last_error).toEqual({
      reason: '500',
      message: 'HTTP 500: internal error',
      error_code: 'iMetal.9999',
      request_id: 'req-1',
      at: new Date((NOW - 3) * 1000).toISOString(),
    });
    expect(toExportJson(s.notPolled!, NOW).poll_success).toBeNull();
    expect(toExportJson(s.retired!, NOW).retired).toEqual({ at: new Date((NOW - 5) * 1000).toISOString(), reason: 'completed' });
    expect(toExportJson(s.completed!, NOW).completed_at).toBe(new Date((NOW - 60) * 1000).toISOString());
  });

  it('clamps the age at zero like clouddc_log_export_age_seconds', () => {
    const future = applyPollResult(initialState(target()), success({ createdAt: NOW + 100 }), NOW);
    expect(toExportJson(future, NOW).age_seconds).toBe(0);
  });
});
