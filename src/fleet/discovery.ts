import type { Fetched, JsonRequest } from '../clouddc/client.js';
import {
  ALARMS_PAGE_LIMIT,
  FLEET_MAX_BODY_BYTES,
  SERVERS_PAGE_LIMIT,
  alarmsPath,
  parseAlarmsPage,
  parseServersPage,
  serversPath,
} from '../clouddc/fleet-api.js';
import type { AlarmLevel, DiscoveredServer, ServerDiscoverySettings } from '../domain/fleet.js';
import type { PollFailure } from '../domain/poll.js';
import type { RoundOutcome } from './fleet-state.js';

/** The part of the account's API client discovery uses; the client implements it. */
export interface FleetSource {
  fetchJson<T>(request: JsonRequest<T>, signal?: AbortSignal): Promise<Fetched<T> | PollFailure>;
}

export interface RoundDeps {
  readonly source: FleetSource;
  readonly projectId: string;
  readonly settings: ServerDiscoverySettings;
  /** Whether this shard exports the server. */
  readonly owns: (serverId: string) => boolean;
  readonly signal?: AbortSignal;
  /** Pages past this end the round as failed: a marker that never ends must not loop forever. */
  readonly maxPages?: number;
}

/** Besides the outcome, what the log line of a round reports. */
export interface RoundReport {
  readonly outcome: RoundOutcome;
  readonly pages: number;
  /** Records that could not be read (no id, no resource), skipped. */
  readonly skipped: number;
  /** Alarms whose level is not 1 to 4. */
  readonly unknownLevels: number;
}

const DEFAULT_MAX_PAGES = 1000;

function failed(call: string, f: PollFailure, pages: number, skipped: number): RoundReport {
  return { outcome: { ok: false, message: `${call}: ${f.message}` }, pages, skipped, unknownLevels: 0 };
}

/** One round: ListServers to the last page, then ListAlarms to the last page; either failing fails the round. */
export async function discoveryRound(deps: RoundDeps): Promise<RoundReport> {
  const maxPages = deps.maxPages ?? DEFAULT_MAX_PAGES;
  const servers: DiscoveredServer[] = [];
  const seen = new Set<string>();
  let pages = 0;
  let skipped = 0;
  let marker: string | undefined;
  for (;;) {
    const path = serversPath(deps.projectId, SERVERS_PAGE_LIMIT, marker, deps.settings.manageState);
    const page = await deps.source.fetchJson(
      { path, parse: (t) => parseServersPage(t, deps.projectId), maxBodyBytes: FLEET_MAX_BODY_BYTES, context: { call: 'ListServers', page: pages + 1 } },
      deps.signal,
    );
    if (!page.ok) return failed('ListServers', page, pages, skipped);
    pages++;
    skipped += page.value.skipped;
    for (const s of page.value.servers) if (deps.owns(s.id)) servers.push(s);
    const next = page.value.nextMarker;
    if (next === undefined || page.value.servers.length === 0) break;
    if (seen.has(next) || pages >= maxPages) {
      const message = seen.has(next) ? `next_marker "${next.slice(0, 64)}" came back a second time` : `more than ${maxPages} pages`;
      return failed('ListServers', { ok: false, reason: 'invalid_response', message, attempts: 1 }, pages, skipped);
    }
    seen.add(next);
    marker = next;
  }
  if (!deps.settings.alarms) return { outcome: { ok: true, servers, alarms: undefined }, pages, skipped, unknownLevels: 0 };

  const owned = new Set(servers.map((s) => s.id));
  const alarms = new Map<string, Record<AlarmLevel, number>>();
  let unknownLevels = 0;
  for (let offset = 0, alarmPages = 0; ; alarmPages++) {
    if (alarmPages >= maxPages) {
      return failed('ListAlarms', { ok: false, reason: 'invalid_response', message: `more than ${maxPages} pages`, attempts: 1 }, pages, skipped);
    }
    const page = await deps.source.fetchJson(
      {
        path: alarmsPath(deps.projectId, offset, ALARMS_PAGE_LIMIT),
        parse: parseAlarmsPage,
        maxBodyBytes: FLEET_MAX_BODY_BYTES,
        context: { call: 'ListAlarms', offset },
      },
      deps.signal,
    );
    if (!page.ok) return failed('ListAlarms', page, pages, skipped);
    pages++;
    skipped += page.value.skipped;
    for (const a of page.value.alarms) {
      if (!a.active) continue;
      if (a.level === undefined) {
        unknownLevels++;
        continue;
      }
      const id = a.resourceIds.find((r) => owned.has(r));
      if (id === undefined) continue;
      let counts = alarms.get(id);
      if (counts === undefined) alarms.set(id, (counts = { urgent: 0, important: 0, minor: 0, info: 0 }));
      counts[a.level]++;
    }
    const got = page.value.alarms.length + page.value.skipped;
    offset += got;
    const total = page.value.count;
    // With a count, page until it is reached (a backend may cap the page below our limit); without one, a short page ends.
    if (got === 0 || (total !== undefined ? offset >= total : got < ALARMS_PAGE_LIMIT)) break;
  }
  return { outcome: { ok: true, servers, alarms }, pages, skipped, unknownLevels };
}
