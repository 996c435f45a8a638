import type { Behaviour } from '../src/simulator/index.js';
import { isFailing } from './freshness.js';

/**
 * The soak's fault mix, decided in advance for every export: request n of export i is answered as
 * plan(i)[n mod PLAN_LENGTH]. Both the simulator child (which scripts it) and the report (which counts what was
 * injected from the simulator's request counts) derive everything from this one deterministic plan, so "every
 * failed poll was injected" can be checked exactly, code by code.
 */

export type Outcome =
  | 'ok'
  /** A healthy answer, late but well inside the poll timeout: must not count as a failure. */
  | 'slow_ok'
  | '500'
  /** The load balancer's HTML page. */
  | '503'
  | '429'
  /** 429 with Retry-After: 1, which pauses the whole account (capped at poll.backoff_max). */
  | '429_retry_after'
  /** An answer that comes long after the poll timeout. */
  | 'timeout'
  | 'invalid_json'
  | 'wrong_shape'
  /** Head and half a body, then the connection is destroyed. */
  | 'reset';

/** Requests per export before its plan repeats: 64 polls, 5 min 20 s at one poll every 5 s. */
export const PLAN_LENGTH = 64;

/** Probability of each non-ok outcome per request; the rest is `ok`. About 4 % of polls fail. */
export const MIX: ReadonlyArray<readonly [Outcome, number]> = [
  ['500', 0.01],
  ['503', 0.005],
  ['429', 0.005],
  ['429_retry_after', 0.00002],
  ['timeout', 0.005],
  ['invalid_json', 0.005],
  ['wrong_shape', 0.005],
  ['reset', 0.002],
  ['slow_ok', 0.01],
];

/** The error code (clouddc_log_export_api_errors_total{code}) each outcome must be counted under; none for successes. */
export const CODE: Readonly<Record<Outcome, string | undefined>> = {
  ok: undefined,
  slow_ok: undefined,
  '500': '500',
  '503': '503',
  '429': '429',
  '429_retry_after': '429',
  timeout: 'timeout',
  invalid_json: 'invalid_response',
  wrong_shape: 'invalid_response',
  reset: 'network',
};

/** mulberry32: small, fast, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `mixed`: the fault mix above on every export. `failing`: every FAIL_EVERY-th export answers 500 to every request
 * and the others always answer well, so that "healthy" has a meaning (see freshness.ts).
 */
export type Profile = 'mixed' | 'failing';

export function planOf(profile: Profile, exportIndex: number, seed: number): Outcome[] {
  if (profile === 'mixed') return planFor(exportIndex, seed);
  return Array.from({ length: PLAN_LENGTH }, () => (isFailing(exportIndex) ? '500' : 'ok'));
}

export function planFor(exportIndex: number, seed: number): Outcome[] {
  const random = prng(Math.imul(exportIndex + 1, 0x9e3779b1) ^ seed);
  return Array.from({ length: PLAN_LENGTH }, () => {
    let x = random();
    for (const [outcome, p] of MIX) {
      if (x < p) return outcome;
      x -= p;
    }
    return 'ok';
  });
}

export interface Timing {
  /** The exporter's poll.timeout. */
  readonly timeoutMs: number;
}

export function behaviourOf(outcome: Outcome, healthy: Behaviour, t: Timing): Behaviour {
  switch (outcome) {
    case 'ok':
      return healthy;
    case 'slow_ok':
      return { kind: 'slow', delayMs: Math.round(t.timeoutMs / 5), then: healthy };
    case '500':
      return { kind: 'error', status: 500 };
    case '503':
      return { kind: 'error', status: 503 };
    case '429':
      return { kind: 'error', status: 429 };
    case '429_retry_after':
      return { kind: 'error', status: 429, retryAfter: '1' };
    case 'timeout':
      return { kind: 'slow', delayMs: t.timeoutMs * 4, then: healthy };
    case 'invalid_json':
      return { kind: 'malformed', body: '<html><body><h1>Maintenance</h1></body></html>' };
    case 'wrong_shape':
      return { kind: 'fixed', body: { id: 'x', state: 'RUNNING', progress: 0.4 } };
    case 'reset':
      return { kind: 'reset' };
  }
}

/** The plan as one repeating `sequence` behaviour (runs of equal outcomes as one step). */
export function planBehaviour(plan: readonly Outcome[], healthy: Behaviour, t: Timing): Behaviour {
  const steps: Array<{ times: number; behaviour: Behaviour; outcome: Outcome }> = [];
  for (const outcome of plan) {
    const last = steps.at(-1);
    if (last?.outcome === outcome) last.times++;
    else steps.push({ times: 1, behaviour: behaviourOf(outcome, healthy, t), outcome });
  }
  if (steps.length === 1) return steps[0]!.behaviour;
  return { kind: 'sequence', steps: steps.map(({ times, behaviour }) => ({ times, behaviour })) };
}

/** Failures by code that the first `served` requests of an export with this plan were scripted to be. */
export function injectedBy(plan: readonly Outcome[], served: number, into: Record<string, number>): void {
  const full = Math.floor(served / plan.length);
  const rest = served % plan.length;
  plan.forEach((outcome, n) => {
    const code = CODE[outcome];
    if (code === undefined) return;
    const times = full + (n < rest ? 1 : 0);
    if (times > 0) into[code] = (into[code] ?? 0) + times;
  });
}
