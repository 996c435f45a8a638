import pino from 'pino';
import type { ExportTarget, Observation } from '../../src/domain/export.js';
import type { DiscoveredServer } from '../../src/domain/fleet.js';
import type { PollFailure, PollSuccess } from '../../src/domain/poll.js';
import type { ScrapeLease } from '../../src/exposition/exposition.js';

export function target(overrides: Partial<ExportTarget> = {}): ExportTarget {
  return {
    projectId: '0123456789abcdef0123456789abcdef',
    serverId: '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8',
    exportId: '1',
    account: 'main',
    name: '',
    labels: {},
    ...overrides,
  };
}

export function success(obs: Partial<Observation> = {}): PollSuccess {
  return {
    ok: true,
    attempts: 1,
    observation: { status: 'processing', rawStatus: 'processing', percentage: 30, createdAt: 1_750_000_000, ...obs },
  };
}

export function failure(reason: string, message = `HTTP ${reason}`): PollFailure {
  return { ok: false, reason, message, attempts: 1 };
}

export const silentLogger = pino({ level: 'silent' });

/** A clock the test moves by hand; milliseconds since the epoch. */
export class FakeClock {
  constructor(public ms: number = Date.UTC(2026, 0, 1)) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A view's scrape() for tests that do not read /metrics. */
export async function noScrape(): Promise<ScrapeLease> {
  return { chunks: [], encoding: 'identity', release: () => undefined };
}

/** A server as ListServers would list it: powered on, in use, health OK unless overridden. */
export function discoveredServer(id: string, overrides: Partial<DiscoveredServer> = {}): DiscoveredServer {
  const health = overrides.health ?? 'OK';
  return {
    id,
    projectId: 'p',
    name: id,
    health,
    rawHealth: health,
    power: 'on',
    manageState: 'in-use',
    operationState: '',
    dc: '',
    rack: '',
    unit: '',
    sn: '',
    manufacturer: '',
    model: '',
    ...overrides,
  };
}
