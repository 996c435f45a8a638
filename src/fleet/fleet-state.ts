import type { AccountFleet, AlarmCounts, DiscoveredServer, FleetServer } from '../domain/fleet.js';

/** What one discovery round of an account came back with. */
export type RoundOutcome =
  | {
      readonly ok: true;
      /** The servers this shard owns, in the order the API listed them. */
      readonly servers: readonly DiscoveredServer[];
      /** Active alarms by server id; undefined when alarms are not fetched. A server without alarms has none here. */
      readonly alarms: ReadonlyMap<string, AlarmCounts> | undefined;
    }
  | { readonly ok: false; readonly message: string };

export function emptyFleet(account: string, projectId: string): AccountFleet {
  return {
    account,
    projectId,
    servers: new Map(),
    lastSuccessAt: undefined,
    lastDurationSeconds: undefined,
    lastRoundOk: undefined,
    lastError: undefined,
    failuresInARow: 0,
  };
}

const ZERO: AlarmCounts = Object.freeze({ urgent: 0, important: 0, minor: 0, info: 0 });

/**
 * The account's fleet after a round. A failed round keeps every server as the last good round left it. A
 * successful one replaces them, except that a server it did not list is kept once more (marked missed): one
 * page that shifted under a marker must not make a server vanish and come back; two rounds in a row without it do.
 */
export function applyRound(prev: AccountFleet, outcome: RoundOutcome, nowSeconds: number, durationSeconds: number): AccountFleet {
  if (!outcome.ok) {
    return { ...prev, lastDurationSeconds: durationSeconds, lastRoundOk: false, lastError: outcome.message, failuresInARow: prev.failuresInARow + 1 };
  }
  const servers = new Map<string, FleetServer>();
  for (const server of outcome.servers) {
    if (servers.has(server.id)) continue;
    servers.set(server.id, { server, alarms: outcome.alarms === undefined ? undefined : (outcome.alarms.get(server.id) ?? ZERO), missed: 0 });
  }
  for (const [id, old] of prev.servers) {
    if (!servers.has(id) && old.missed === 0) servers.set(id, { ...old, missed: 1 });
  }
  return {
    ...prev,
    servers,
    lastSuccessAt: nowSeconds,
    lastDurationSeconds: durationSeconds,
    lastRoundOk: true,
    lastError: undefined,
    failuresInARow: 0,
  };
}
