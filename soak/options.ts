import { EXPORTS } from '../bench/fixtures.js';
import { formatDuration, parseDuration } from '../src/config/duration.js';
import { scheduleIntervalMs } from '../src/poller/capacity.js';
import { FAIL_EVERY } from './freshness.js';
import { MIX, PLAN_LENGTH, type Profile } from './plan.js';

/** The soak's command line and the poll settings of its two profiles. */

export const SCHEDULE = '*/5 * * * * *';
export const TIMEOUT_MS = 500;
export const CONCURRENCY = 64;
export const INTERVAL_S = scheduleIntervalMs(SCHEDULE) / 1000;
/** The failing profile's poll settings: retries and backoff at their defaults, as a user runs them. */
export const RETRIES: Record<Profile, { retries: number; backoffInitialMs: number; backoffMaxMs: number; timeoutMs: number }> = {
  mixed: { retries: 0, backoffInitialMs: 100, backoffMaxMs: 500, timeoutMs: TIMEOUT_MS },
  // No timeouts are scripted here, so a short timeout would only measure how loaded the machine is.
  failing: { retries: 2, backoffInitialMs: 500, backoffMaxMs: 30_000, timeoutMs: 2000 },
};

export interface Options {
  readonly durationMs: number;
  readonly exports: number;
  readonly warmupMs: number;
  readonly seed: number;
  readonly profile: Profile;
}

export function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const duration = (name: string, fallback: number): number => {
    const text = get(name);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) throw new Error(`--${name}: not a duration: ${text}`);
    return ms;
  };
  for (const a of argv) {
    if (!/^--(duration|exports|warmup|seed|profile)=/.test(a)) {
      throw new Error(`unknown argument ${a}; use --duration=10m --exports=10000 --warmup=60s --seed=N --profile=mixed|failing`);
    }
  }
  const durationMs = duration('duration', 10 * 60_000);
  const exports = Number(get('exports') ?? EXPORTS);
  if (!Number.isInteger(exports) || exports < 1) throw new Error('--exports: a whole number >= 1');
  const warmupMs = duration('warmup', Math.min(60_000, durationMs / 5));
  if (warmupMs >= durationMs) throw new Error('--warmup must be shorter than --duration');
  const seed = Number(get('seed') ?? 20261127);
  if (!Number.isInteger(seed)) throw new Error('--seed: an integer');
  const profile = get('profile') ?? 'mixed';
  if (profile !== 'mixed' && profile !== 'failing') throw new Error('--profile: mixed or failing');
  return { durationMs, exports, warmupMs, seed, profile };
}

/** The line that says what this run does, printed before it starts. */
export function describeRun(o: Options): string {
  return (
    `soak (${o.profile}): ${o.exports} exports, poll.schedule "${SCHEDULE}" with spread on, concurrency ${CONCURRENCY}, timeout ${RETRIES[o.profile].timeoutMs} ms, ` +
    `retries ${RETRIES[o.profile].retries}; ${formatDuration(o.durationMs)} (warm-up ${formatDuration(o.warmupMs)}); /metrics every 1 s; ` +
    (o.profile === 'failing'
      ? `every ${FAIL_EVERY}th export answers 500 to every request, the others never fail`
      : `faults per poll: ${MIX.map(([k, p]) => `${k} ${(p * 100).toFixed(3).replace(/\.?0+$/, '')} %`).join(', ')} (plan of ${PLAN_LENGTH} polls per export, seed ${o.seed})`)
  );
}
