import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { TRIGGER_HEALTH_STATES, type AutoCollectSettings } from '../domain/auto-collect.js';
import { ALARM_LEVELS, type AlarmLevel } from '../domain/fleet.js';
import type { AccountSettings } from '../domain/config.js';
import { describeValue } from './issues.js';
import { durationField, intField, nonEmpty, strict } from './fields.js';
import { problem, type Problem } from './problems.js';

export const AUTO_COLLECT_DEFAULTS = { healthStates: ['Critical'], cooldownMs: 24 * 3_600_000, maxPerHour: 20, dryRun: false } as const;

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i;
/** Below this, a single bundle (tens of MiB) would be removed as soon as it lands. */
const MIN_BYTES = 2 ** 20;

/** A size such as 50GiB, 500MB or a number of bytes. */
const sizeField = z
  .union([z.number(), z.string()], { error: (iss) => `expected a size such as 50GiB, got ${describeValue(iss.input)}` })
  .transform((v, ctx) => {
    const m = typeof v === 'number' ? [String(v), String(v), 'B'] : SIZE.exec(v.trim());
    const bytes = m === null ? NaN : Math.floor(Number(m[1]) * (UNITS[(m[2] ?? 'B').toUpperCase()] ?? NaN));
    if (!Number.isSafeInteger(bytes)) {
      ctx.issues.push({ code: 'custom', input: v, message: 'invalid size (use e.g. 500MiB, 50GiB, 2TB)' });
      return z.NEVER;
    }
    if (bytes < MIN_BYTES) {
      ctx.issues.push({ code: 'custom', input: v, message: 'must be at least 1MiB' });
      return z.NEVER;
    }
    return bytes;
  });

const whenSchema = strict({
  health_state: z
    .array(z.enum(TRIGGER_HEALTH_STATES, { error: () => `expected ${TRIGGER_HEALTH_STATES.join(' or ')}` }), {
      error: (iss) => `expected a list such as [Critical], got ${describeValue(iss.input)}`,
    })
    .optional(),
  alarm_level: z.enum(ALARM_LEVELS, { error: () => `expected one of ${ALARM_LEVELS.join(', ')} (ListAlarms' levels 1 to 4)` }).optional(),
});

const downloadSchema = strict({
  dir: nonEmpty,
  max_bytes: sizeField,
});

/** `auto_collect:` before the base directory is applied; `buildAutoCollect` finishes it. */
export const autoCollectSchema = strict({
  when: whenSchema.optional(),
  cooldown: durationField({ max: 365 * 24 * 3_600_000 }).optional(),
  max_per_hour: intField(1, 10_000).optional(),
  dry_run: z.boolean().optional(),
  download: downloadSchema.optional(),
});

/**
 * The section to settings, with the cross-checks against the accounts: collection acts on discovered servers, so
 * some account must have `servers:`, and an alarm trigger needs the alarms discovery fetches.
 */
export function buildAutoCollect(
  raw: z.infer<typeof autoCollectSchema>,
  accounts: ReadonlyMap<string, AccountSettings>,
  baseDir: string,
): { settings?: AutoCollectSettings; problems: Problem[] } {
  const problems: Problem[] = [];
  const discovering = [...accounts.values()].filter((a) => a.servers !== undefined);
  if (accounts.size > 0 && discovering.length === 0) {
    problems.push(problem(['auto_collect'], 'acts on discovered servers: set accounts.<name>.servers on at least one account'));
  }
  const alarmLevel: AlarmLevel | undefined = raw.when?.alarm_level;
  if (alarmLevel !== undefined) {
    for (const a of discovering) {
      if (a.servers?.alarms === false)
        problems.push(problem(['auto_collect', 'when', 'alarm_level'], `needs alarms: account "${a.name}" has servers.alarms: false`));
    }
  }
  const healthStates = raw.when?.health_state ?? [...AUTO_COLLECT_DEFAULTS.healthStates];
  if (healthStates.length === 0 && alarmLevel === undefined) {
    problems.push(problem(['auto_collect', 'when'], 'nothing would trigger a collection: name a health_state or an alarm_level'));
  }
  if (problems.length > 0) return { problems };
  const download = raw.download;
  return {
    problems,
    settings: {
      healthStates: [...new Set(healthStates)],
      ...(alarmLevel !== undefined && { alarmLevel }),
      cooldownMs: raw.cooldown ?? AUTO_COLLECT_DEFAULTS.cooldownMs,
      maxPerHour: raw.max_per_hour ?? AUTO_COLLECT_DEFAULTS.maxPerHour,
      dryRun: raw.dry_run ?? AUTO_COLLECT_DEFAULTS.dryRun,
      ...(download !== undefined && {
        download: { dir: isAbsolute(download.dir) ? download.dir : resolve(baseDir, download.dir), maxBytes: download.max_bytes },
      }),
    },
  };
}
