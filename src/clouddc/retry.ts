/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, initialMs * 2^attempt)].
 * Full jitter spreads the retries of many exports hitting the same rate limit at once, which a fixed
 * doubling would bunch into synchronised waves. `attempt` is 0 for the first retry.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.max(0, maxMs);
  const base = Math.max(0, initialMs);
  // Bounded so 2 ** exponent stays finite: 0 * Infinity would make the ceiling NaN.
  const exponent = Math.min(60, Math.max(0, Math.floor(attempt)));
  const ceiling = Math.min(cap, base * 2 ** exponent);
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.min(Math.floor(unit * ceiling), ceiling);
}

const DELTA_SECONDS = /^-?\d+(?:\.\d+)?$/;
// IMF-fixdate, the obsolete RFC 850 form and asctime (RFC 9110 §5.6.7). Anything else is not trusted to
// Date.parse, which would turn e.g. "foo 12" into a date in 2001.
const HTTP_DATE = [
  /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * Retry-After as a wait in ms: delta-seconds or an HTTP-date relative to `nowMs`. A date in the past or a
 * negative delta means "now" (0). Unparseable values give undefined so the caller falls back to backoff.
 * Nothing in the CloudDC docs promises this header; it is honoured in case a gateway sends it.
 */
export function parseRetryAfter(headerValue: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const raw = typeof headerValue === 'string' ? headerValue : headerValue?.[0];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (DELTA_SECONDS.test(value)) {
    return Math.max(0, Math.round(Number(value) * 1000));
  }
  if (HTTP_DATE.some((re) => re.test(value))) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    return Math.max(0, at - nowMs);
  }
  return undefined;
}

/**
 * Throttling, server errors and transport failures may pass; client errors (401, 403, 404, other 4xx)
 * and responses that parse wrongly will give the same answer again, so retrying only burns rate limit.
 */
export function isRetryableReason(reason: string): boolean {
  return reason === '429' || reason === 'timeout' || reason === 'network' || /^5\d\d$/.test(reason);
}

/**
 * The longest a failing poll waits between its attempts: every backoff at its ceiling (full jitter stays below).
 * A Retry-After may ask for more (each capped at maxMs); that is the server's choice, not the schedule's.
 */
export function longestBackoffChainMs(retries: number, initialMs: number, maxMs: number): number {
  let sum = 0;
  for (let k = 0; k < retries; k++) sum += Math.min(Math.max(0, maxMs), Math.max(0, initialMs) * 2 ** Math.min(60, k));
  return sum;
}
