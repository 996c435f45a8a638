import { z } from 'zod';
import { unroutableIdReason } from '../domain/path-id.js';
import { Secret } from '../domain/secret.js';
import { formatDuration, parseDuration } from './duration.js';
import { describeValue } from './issues.js';
import { unknownKeyMessage } from './problems.js';

/** Building blocks shared by the section schemas in schema.ts. */

/**
 * A strict object whose unknown keys each get a "did you mean" hint. Zod reports all unknown keys of an object
 * as one issue; the message carries one line per key, which issues.ts splits back into one problem per key.
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? iss.keys.map((key) => unknownKeyMessage(key, known)).join('\n') : undefined),
  });
}

export const nonEmpty = z.string().min(1);

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Half of a UTF-16 surrogate pair without the other half (a "\uD800" escape in YAML): no UTF-8 can carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Ids are percent-encoded into URL paths later, so nearly any text will do; control characters are always a
 * mistake, a lone surrogate cannot be percent-encoded at all (encodeURIComponent throws), and the gateway cannot
 * route a "/" or a dot segment (domain/path-id.ts), so every poll would fail.
 */
export const idField = nonEmpty
  .refine((s) => !CONTROL.test(s), { message: 'must not contain control characters' })
  .refine((s) => !LONE_SURROGATE.test(s), { message: 'must be valid Unicode text (it holds half of a surrogate pair, e.g. from a "\\uD800" escape)' })
  .superRefine((s, ctx) => {
    const reason = unroutableIdReason(s);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });

export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

/** A value that must never reach a log line from here on. */
export const secretField = nonEmpty.transform((s) => new Secret(s));

/**
 * `${VAR}` interpolation always yields strings, so an integer written as `concurrency: ${CONCURRENCY}` arrives
 * as "8". Digit-only strings are therefore read as integers; anything else still has to be a YAML integer.
 */
export function intField(min: number, max: number) {
  const int = z.int({
    error: (iss) => (iss.code === 'invalid_type' && iss.input !== undefined ? `expected an integer, got ${describeValue(iss.input)}` : undefined),
  });
  return z.preprocess((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v), int.min(min).max(max));
}

export interface DurationLimits {
  /** Whether 0 is allowed; a timeout or backoff of zero is never meaningful. */
  readonly allowZero?: boolean;
  /** Inclusive upper bound in ms. Timers in Node fire at once beyond about 24.8 days, so every field has one. */
  readonly max: number;
  /** Exclusive upper bound, for limits that the value must stay strictly below. */
  readonly below?: boolean;
}

/**
 * Duration text such as "10s" or "1h30m", as milliseconds. A bare number is refused: its unit would be a guess.
 * The text is not repeated in messages; it may have come from an environment variable.
 */
export function durationField(limits: DurationLimits) {
  const text = z.string({
    error: (iss) => (iss.code === 'invalid_type' && iss.input !== undefined ? `expected a duration such as 10s, got ${describeValue(iss.input)}` : undefined),
  });
  return text.transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: s,
        message: 'invalid duration (use e.g. 500ms, 10s, 5m, 1h30m)',
      });
      return z.NEVER;
    }
    if (ms === 0 && limits.allowZero !== true) {
      ctx.issues.push({ code: 'custom', input: s, message: 'must be greater than 0' });
      return z.NEVER;
    }
    const tooBig = limits.below === true ? ms >= limits.max : ms > limits.max;
    if (tooBig) {
      const bound = formatDuration(limits.max);
      ctx.issues.push({
        code: 'custom',
        input: s,
        message: limits.below === true ? `must be less than ${bound}` : `must be at most ${bound}`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/**
 * An http(s) base URL without trailing slash. Messages never repeat the URL: it may carry credentials.
 */
export const httpUrl = nonEmpty.transform((s, ctx) => {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    ctx.issues.push({ code: 'custom', input: s, message: 'must be an http:// or https:// URL' });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.issues.push({ code: 'custom', input: s, message: 'must be an http:// or https:// URL' });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.issues.push({ code: 'custom', input: s, message: 'must not contain credentials; use the auth block' });
    return z.NEVER;
  }
  if (url.search !== '' || url.hash !== '') {
    ctx.issues.push({ code: 'custom', input: s, message: 'must not have a query or fragment' });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});
