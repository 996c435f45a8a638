import { z } from 'zod';
import { MANAGE_STATES, type ServerDiscoverySettings } from '../domain/fleet.js';
import { formatDuration } from './duration.js';
import { durationField, strict } from './fields.js';

export const SERVER_DISCOVERY_DEFAULTS = { intervalMs: 60_000, alarms: true } as const;

/** Below this, a fleet of thousands would spend the account's rate limit on discovery alone. */
const MIN_INTERVAL_MS = 10_000;

/** `accounts.<name>.servers`: discovery of the account's physical servers (ListServers, ListAlarms). */
export const serversSchema = strict({
  interval: durationField({ max: 24 * 3_600_000 })
    .refine((ms) => ms >= MIN_INTERVAL_MS, { message: `must be at least ${formatDuration(MIN_INTERVAL_MS)}` })
    .optional(),
  manage_state: z.enum(MANAGE_STATES, { error: () => `expected one of ${MANAGE_STATES.join(', ')} (the values ListServers accepts)` }).optional(),
  alarms: z.boolean().optional(),
}).transform((raw): ServerDiscoverySettings => ({
  intervalMs: raw.interval ?? SERVER_DISCOVERY_DEFAULTS.intervalMs,
  alarms: raw.alarms ?? SERVER_DISCOVERY_DEFAULTS.alarms,
  ...(raw.manage_state !== undefined && { manageState: raw.manage_state }),
}));
