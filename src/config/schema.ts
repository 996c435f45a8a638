import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import type { PollSettings, RateLimitSettings, RetentionSettings } from '../domain/config.js';
import { formatDuration } from './duration.js';
import { describeValue } from './issues.js';
import { authSchema } from './auth-methods.js';
import { serversSchema } from './servers.js';
import { durationField, httpUrl, idField, intField, nonEmpty, strict } from './fields.js';

/**
 * The shape of the YAML file, section by section (snake_case, as written by users). Each section is validated
 * on its own by build.ts, so a mistake in one section does not hide the cross-checks of the others.
 */

export const DEFAULTS = {
  schedule: '*/30 * * * * *',
  concurrency: 4,
  timeoutMs: 10_000,
  retries: 2,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  spread: true,
  // CloudDC publishes no quota; other Huawei Cloud APIs allow about 10 requests/s per user.
  requestsPerSecond: 10,
  burst: 20,
  retentionCompletedMs: 24 * 3_600_000,
  retentionNotFoundMs: 3_600_000,
  // Long enough to be seen on Monday after a Friday failure, short enough that the page stops within a week.
  retentionFailedMs: 7 * 24 * 3_600_000,
} as const;

const DAY_MS = 24 * 3_600_000;

/** Labels every per-export series already carries; a config label of the same name would clash with them. */
export const RESERVED_LABELS = ['project_id', 'server_id', 'export_id', 'name', 'account', 'status', 'code', 'origin', 'trigger'] as const;

export const ACCOUNT_NAME = /^[a-zA-Z0-9_.-]+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Only the top-level keys; the sections themselves are parsed separately. */
export const topSchema = strict({
  poll: z.unknown().optional(),
  retention: z.unknown().optional(),
  accounts: z.unknown().optional(),
  exports: z.unknown().optional(),
  export_files: z.unknown().optional(),
  auto_collect: z.unknown().optional(),
});

const cronField = z.string().superRefine((s, ctx) => {
  if (!isValidCron(s)) {
    ctx.addIssue({
      code: 'custom',
      message: 'invalid cron expression (e.g. "*/30 * * * * *"; the seconds field is optional)',
    });
  }
});

const BACKOFF_FIELDS: readonly PropertyKey[] = ['backoff_initial', 'backoff_max'];

export const pollSchema = strict({
  schedule: cronField.optional(),
  concurrency: intField(1, 1024).optional(),
  timeout: durationField({ max: DAY_MS }).optional(),
  retries: intField(0, 10).optional(),
  backoff_initial: durationField({ max: DAY_MS }).optional(),
  backoff_max: durationField({ max: DAY_MS }).optional(),
  spread: z.boolean().optional(),
})
  .superRefine(
    (raw, ctx) => {
      const initial = raw.backoff_initial ?? DEFAULTS.backoffInitialMs;
      const max = raw.backoff_max ?? DEFAULTS.backoffMaxMs;
      if (max >= initial) return;
      // Name the default when it is the default: the user may not know backoff_max has a value at all.
      const given = raw.backoff_max === undefined ? ' (the default)' : '';
      ctx.addIssue({
        code: 'custom',
        path: ['backoff_max'],
        message: `${formatDuration(max)}${given} is less than backoff_initial (${formatDuration(initial)})`,
      });
    },
    {
      // Runs despite problems in other poll fields, as long as both backoff values themselves are sound.
      when: (payload) =>
        typeof payload.value === 'object' &&
        payload.value !== null &&
        !payload.issues.some((iss) => iss.code !== 'unrecognized_keys' && BACKOFF_FIELDS.includes(iss.path?.[0] ?? '')),
    },
  )
  .transform((raw): PollSettings => ({
    schedule: raw.schedule ?? DEFAULTS.schedule,
    concurrency: raw.concurrency ?? DEFAULTS.concurrency,
    timeoutMs: raw.timeout ?? DEFAULTS.timeoutMs,
    retries: raw.retries ?? DEFAULTS.retries,
    backoffInitialMs: raw.backoff_initial ?? DEFAULTS.backoffInitialMs,
    backoffMaxMs: raw.backoff_max ?? DEFAULTS.backoffMaxMs,
    spread: raw.spread ?? DEFAULTS.spread,
  }));

const YEAR_MS = 365 * DAY_MS;

export const retentionSchema = strict({
  completed: durationField({ max: YEAR_MS }).optional(),
  not_found: durationField({ max: YEAR_MS }).optional(),
  failed: durationField({ max: YEAR_MS }).optional(),
}).transform((raw): RetentionSettings => ({
  completedMs: raw.completed ?? DEFAULTS.retentionCompletedMs,
  notFoundMs: raw.not_found ?? DEFAULTS.retentionNotFoundMs,
  failedMs: raw.failed ?? DEFAULTS.retentionFailedMs,
}));

const positiveRate = z
  .number({ error: (iss) => (iss.code === 'invalid_type' ? 'expected a number of requests per second' : undefined) })
  .positive({ message: 'must be greater than 0' })
  .max(100_000);

export const rateLimitSchema = strict({
  requests_per_second: z.preprocess((v) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v), positiveRate).optional(),
  burst: intField(1, 100_000).optional(),
}).transform((raw): RateLimitSettings => ({
  requestsPerSecond: raw.requests_per_second ?? DEFAULTS.requestsPerSecond,
  burst: raw.burst ?? DEFAULTS.burst,
}));

export const accountSchema = strict({
  region: nonEmpty.regex(REGION, { message: 'must be a region id such as cn-east-3' }).optional(),
  endpoint: httpUrl.optional(),
  project_id: idField.optional(),
  auth: authSchema.optional(),
  rate_limit: rateLimitSchema.optional(),
  // `servers: {}` turns discovery on with every default; a bare `servers:` is left out, as every empty key is.
  servers: serversSchema.optional(),
});

/** Large or fractional numbers would silently change on the way to a string, so only exact integers pass. */
const exportIdField = z.preprocess((v, ctx) => {
  if (typeof v !== 'number') return v;
  if (Number.isSafeInteger(v) && v >= 0) return String(v);
  ctx.addIssue({ code: 'custom', message: 'must be a string or a whole number; quote ids like this one' });
  return v;
}, idField);

const labelName = z.string().superRefine((name, ctx) => {
  if (!LABEL_NAME.test(name)) {
    ctx.addIssue({ code: 'custom', message: `invalid label name (must match ${LABEL_NAME.source})` });
  } else if (name.startsWith('__')) {
    ctx.addIssue({ code: 'custom', message: 'label names starting with "__" are reserved for Prometheus' });
  } else if ((RESERVED_LABELS as readonly string[]).includes(name)) {
    ctx.addIssue({ code: 'custom', message: `"${name}" is a label the exporter sets itself; choose another name` });
  }
});

const labelValue = z.preprocess(
  (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
  z.string({
    error: (iss) => (iss.code === 'invalid_type' ? `expected a string, number or boolean, got ${describeValue(iss.input)}` : undefined),
  }),
);

export const exportSchema = strict({
  server_id: idField,
  export_id: exportIdField,
  account: nonEmpty.optional(),
  project_id: idField.optional(),
  name: z.string().optional(),
  labels: z.record(labelName, labelValue).optional(),
});
