import { describe, expect, it } from 'vitest';
import type { Behaviour } from '../../src/simulator/index.js';
import { expectFaultContract, exportJson, faulted, HEALTHY, startRig, value, watchProcess, type Rig } from './harness.js';

/**
 * Faults with a complete HTTP answer: gateway pages, wrong JSON, storms of 5xx and 429. Counting is exact
 * because `poll.retries` is 0, except in the cases that show retries.
 */

watchProcess();

const STORM = 6;

function scriptAll(rig: Rig, b: Behaviour): void {
  for (const t of rig.targets) rig.sim.setBehaviour(t, b);
}

describe('HTTP answers that are faults', () => {
  it.each([502, 504])('an HTML gateway page with %i: counted by status, message without markup', async (status) => {
    const rig = await startRig();
    await expectFaultContract(
      rig,
      () => rig.sim.setBehaviour(faulted(0), { kind: 'error', status }),
      () => rig.sim.setBehaviour(faulted(0), HEALTHY),
      { code: String(status) },
    );
    const last = (await exportJson(rig, faulted(0))).last_error;
    expect(last.reason).toBe(String(status));
    expect(last.message).toMatch(new RegExp(`^HTTP ${status}`));
    expect(last.message).not.toMatch(/[<>]/);
    expect(last.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['another API', { id: 'x', state: 'RUNNING', progress: 0.4 }],
    ['a field of the wrong type', { export_id: '100', status: 'processing', percentage: { value: 40 }, created_at: '2026-01-01T00:00:00Z' }],
    ['an empty object', {}],
  ])('200 with JSON of the wrong shape (%s): invalid_response', async (_name, body) => {
    const rig = await startRig();
    await expectFaultContract(
      rig,
      () => rig.sim.setBehaviour(faulted(0), { kind: 'fixed', body }),
      () => rig.sim.setBehaviour(faulted(0), HEALTHY),
      { code: 'invalid_response' },
    );
    // The last good observation stays exported: status and percentage are not invented, nor dropped.
    const text = await (await fetch(`${rig.running.url}/metrics`)).text();
    expect(value(text, 'clouddc_log_export_status', { server_id: 'faulted-0', status: 'processing' })).toBe(1);
  });

  it('a storm of 500s on every export of an account', async () => {
    const rig = await startRig({ faulted: STORM });
    await expectFaultContract(
      rig,
      () => scriptAll(rig, { kind: 'error', status: 500 }),
      () => scriptAll(rig, HEALTHY),
      {
        code: '500',
        cycles: 3,
        during: (text, k) => expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: '500' })).toBe(k * STORM),
      },
    );
  });

  it('a storm of 503s with retries: every attempt and retry is counted, each poll fails once', async () => {
    const rig = await startRig({ faulted: STORM, poll: { retries: 2, backoffInitialMs: 1, backoffMaxMs: 5 } });
    await expectFaultContract(
      rig,
      () => scriptAll(rig, { kind: 'error', status: 503 }),
      () => scriptAll(rig, HEALTHY),
      {
        code: '503',
        during: (text, k) => {
          expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: '503' })).toBe(3 * k * STORM);
          expect(value(text, 'clouddc_api_retries_total', { account: 'main', reason: '503' })).toBe(2 * k * STORM);
        },
      },
    );
  });

  it('a storm of 429s without Retry-After: counted, the account slows down, and recovers', async () => {
    const rig = await startRig({ faulted: STORM });
    await expectFaultContract(
      rig,
      () => scriptAll(rig, { kind: 'error', status: 429 }),
      () => scriptAll(rig, HEALTHY),
      {
        code: '429',
        during: (text, k) => {
          expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: '429' })).toBe(k * STORM);
          // Halved at least once, never below the floor; the other account is not touched.
          const rate = value(text, 'clouddc_api_rate_limit', { account: 'main' })!;
          expect(rate).toBeLessThanOrEqual(5000);
          expect(rate).toBeGreaterThanOrEqual(100);
          expect(value(text, 'clouddc_api_rate_limit', { account: 'other' })).toBe(10_000);
        },
      },
    );
  });

  it('a storm of 429s with Retry-After: the account pauses (capped at backoff_max), polls still end', async () => {
    const rig = await startRig({ faulted: STORM, poll: { backoffMaxMs: 200, retries: 1, backoffInitialMs: 1 } });
    const started = performance.now();
    await expectFaultContract(
      rig,
      () => scriptAll(rig, { kind: 'error', status: 429, retryAfter: '3600' }),
      () => scriptAll(rig, HEALTHY),
      {
        code: '429',
        during: (text, k) => {
          expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: '429' })).toBe(2 * k * STORM);
          expect(value(text, 'clouddc_api_retries_total', { account: 'main', reason: '429' })).toBe(k * STORM);
          expect(value(text, 'clouddc_api_throttle_wait_seconds_total', { account: 'main' })).toBeGreaterThan(0);
        },
      },
    );
    // An hour's Retry-After would stall the test; backoff_max caps every pause.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
