import { afterEach, describe, expect, it } from 'vitest';
import { scriptedFleet, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { fakeClock, get, PROJECT } from './support.js';

interface ServersPage {
  servers: { id: string; health_state?: string; manage_state: string; changes?: unknown }[];
  page_info: { next_marker?: string; previous_marker?: string; current_count: number };
  count: number;
}

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const base = `/v1/${PROJECT}/physicalservers`;

async function allPages(s: Simulator, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await get(s.url, `${base}?${query}${marker === undefined ? '' : `&marker=${marker}`}`);
    expect(res.status).toBe(200);
    const page = res.json() as ServersPage;
    pages++;
    ids.push(...page.servers.map((x) => x.id));
    marker = page.page_info.next_marker;
    if (marker === undefined) return { ids, pages };
  }
}

describe('simulator: ListServers', () => {
  it('pages by marker to the end, each server once, in order, with the total count', async () => {
    const fleet = scriptedFleet({ projectId: PROJECT, count: 25 });
    sim = await startSimulator({ fleet });
    const { ids, pages } = await allPages(sim, 'limit=10');
    expect(pages).toBe(3);
    expect(ids).toEqual(fleet.servers.map((s) => s.id));
    const first = (await get(sim.url, `${base}?limit=10`)).json() as ServersPage;
    expect(first.count).toBe(25);
    expect(first.page_info.current_count).toBe(10);
    // The script is the simulator's business; the wire carries PhysicalServer fields only.
    expect(first.servers.every((s) => s.changes === undefined)).toBe(true);
  });

  it('treats a limit under 10 as 10 and over 1000 as 1000, as the SDK documents', async () => {
    sim = await startSimulator({ fleet: scriptedFleet({ projectId: PROJECT, count: 1200 }) });
    expect(((await get(sim.url, `${base}?limit=3`)).json() as ServersPage).servers).toHaveLength(10);
    expect(((await get(sim.url, `${base}?limit=5000`)).json() as ServersPage).servers).toHaveLength(1000);
    expect(((await get(sim.url, base)).json() as ServersPage).servers).toHaveLength(10);
  });

  it('filters by manage_state and refuses a value the SDK does not list', async () => {
    sim = await startSimulator({ fleet: scriptedFleet({ projectId: PROJECT, count: 80 }) });
    const { ids } = await allPages(sim, 'limit=100&manage_state=ready');
    expect(ids).toHaveLength(2);
    const bad = await get(sim.url, `${base}?manage_state=maintain`);
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error_code: 'iMetal.0001' });
    expect((await get(sim.url, `${base}?marker=nope`)).status).toBe(400);
  });

  it('changes health as its clock moves, and lists nothing for another project', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, fleet: scriptedFleet({ projectId: PROJECT, count: 10, phaseMs: 1000 }) });
    const health = async (): Promise<string | undefined> =>
      ((await get(sim!.url, `${base}?limit=10`)).json() as ServersPage).servers.find((s) => s.id.endsWith('4'))?.health_state;
    expect(await health()).toBe('OK');
    clock.advance(1000);
    expect(await health()).toBe('Warning');
    clock.advance(1000);
    expect(await health()).toBe('Critical');
    expect(((await get(sim.url, '/v1/other/physicalservers')).json() as ServersPage).count).toBe(0);
  });
});

describe('simulator: ListAlarms and ListEvents', () => {
  it('lists active alarms by offset, with the server in the metric dimensions', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, fleet: scriptedFleet({ projectId: PROJECT, count: 20, phaseMs: 1000 }) });
    clock.advance(2000);
    const res = (await get(sim.url, `${base}/alarms?alarm_status=alarm&offset=0&limit=50`)).json() as {
      alarms: { alarm_level: number; alarm_status: string; metric: { dimensions: { value: string }[] } }[];
      count: number;
    };
    // Servers 3 and 13 are Critical in phase 2 (urgent alarm); servers 5, 12 and 19 have a minor alarm throughout.
    expect(res.alarms.map((a) => a.alarm_level).sort()).toEqual([1, 1, 3, 3, 3]);
    expect(res.alarms.every((a) => a.alarm_status === 'alarm')).toBe(true);
    expect(res.alarms[0]!.metric.dimensions[0]!.value).toMatch(/^5e7f/);
    // The SDK's enum spelling is accepted too.
    expect(((await get(sim.url, `${base}/alarms?alarm_status=alram&limit=50`)).json() as { count: number }).count).toBe(5);
    const page = (await get(sim.url, `${base}/alarms?alarm_status=alarm&offset=4&limit=2`)).json() as { alarms: unknown[]; count: number };
    expect(page.alarms).toHaveLength(1);
    expect(page.count).toBe(5);
  });

  it('requires a window of at most 30 days for events', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, fleet: scriptedFleet({ projectId: PROJECT, count: 10, phaseMs: 1000 }) });
    clock.advance(5000);
    const from = clock.now() - 10_000;
    const ok = (await get(sim.url, `${base}/events?from=${from}&to=${clock.now()}`)).json() as { events: { event_level: string }[] };
    expect(ok.events.map((e) => e.event_level)).toEqual(['critical', 'critical']);
    expect((await get(sim.url, `${base}/events?from=0&to=${31 * 86_400_000}`)).status).toBe(400);
    expect((await get(sim.url, `${base}/events?to=5`)).status).toBe(400);
  });
});

describe('simulator: fleet faults', () => {
  it('answers queued faults first, then a standing fault, and records each request', async () => {
    sim = await startSimulator({ fleet: scriptedFleet({ projectId: PROJECT, count: 5 }) });
    sim.fleet.queueFaults('servers', [{ behaviour: { kind: 'error', status: 503 } }, { behaviour: { kind: 'malformed', body: '{"servers":' } }]);
    expect((await get(sim.url, base)).status).toBe(503);
    expect((await get(sim.url, base)).text).toBe('{"servers":');
    expect((await get(sim.url, base)).status).toBe(200);
    sim.fleet.setFault('alarms', { behaviour: { kind: 'error', status: 429 } });
    expect((await get(sim.url, `${base}/alarms`)).status).toBe(429);
    sim.fleet.setFault('alarms', undefined);
    expect((await get(sim.url, `${base}/alarms`)).status).toBe(200);
    expect(sim.fleet.served).toMatchObject({ servers: 3, alarms: 2, events: 0 });
    expect(sim.requests.map((r) => r.op)).toEqual(['servers', 'servers', 'servers', 'alarms', 'alarms']);
    expect(() => sim!.fleet.setFault('events', { behaviour: { kind: 'error', status: 42 } })).toThrow(RangeError);
  });
});
