/**
 * Prometheus-style durations (the grammar of `model.ParseDuration`): integer amounts, units from largest to
 * smallest, each unit at most once, no spaces, no sign, no fractions. Users already write durations this way
 * in prometheus.yml, so the same strings mean the same thing here.
 */

const UNITS = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when `s` is not a valid duration. "0" is valid, as in Prometheus. */
export function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  if (s === '') return undefined;
  const match = PATTERN.exec(s);
  if (!match) return undefined;
  let total = 0;
  for (const [i, [, unitMs]] of UNITS.entries()) {
    const amount = match[i + 1];
    if (amount === undefined) continue;
    total += Number(amount) * unitMs;
  }
  // Beyond this the sum is no longer exact, and no timer could honour it anyway.
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest string that parseDuration maps back to `ms` (rounded to whole milliseconds). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  let out = ms < 0 ? '-' : '';
  for (const [unit, unitMs] of UNITS) {
    const amount = Math.floor(rest / unitMs);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * unitMs;
    }
  }
  return out;
}
