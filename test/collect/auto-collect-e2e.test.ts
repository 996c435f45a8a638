import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CYCLING, PHASE, T0, counter, round, scrape, starts, world } from './world.js';

describe('auto_collect against the simulator', () => {
  it('starts one export when a server turns Critical, tracks it at once with origin="auto", and no more while it stays Critical', async () => {
    const w = await world();
    const running = await w.start();
    expect(starts(w.sim)).toBe(0);
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(w.sim.startedExports.map((k) => k.serverId).sort()).toEqual([...CYCLING].sort());
    const text = await scrape(running);
    for (const k of w.sim.startedExports) {
      expect(text).toMatch(
        new RegExp(
          `clouddc_log_export_info\\{project_id="[0-9a-f]+",server_id="${k.serverId}",export_id="${k.exportId}",name="bm-[a-z0-9-]+",account="main",origin="auto",trigger="health_state=Critical"\\} 1`,
        ),
      );
    }
    expect(counter(text, 'started')).toBe(2);
    expect(counter(text, 'failed')).toBe(0);
    // The decision and the export id are in the state file.
    const state = JSON.parse(await readFile(join(w.dir, 'state.json'), 'utf8')) as {
      auto_collect: { servers: Record<string, { result: string; exportId: string }> };
    };
    expect(Object.values(state.auto_collect.servers).map((r) => [r.result, r.exportId])).toEqual(w.sim.startedExports.map((k) => ['started', k.exportId]));
    // Still Critical: the same incident, nothing more.
    await round(running);
    await round(running);
    expect(starts(w.sim)).toBe(2);
    // The status page says what it did.
    const page = await (await fetch(running.url)).text();
    expect(page).toContain('Automatic log collection');
    expect(page.match(/data-auto-result="started"/g)).toHaveLength(2);
  });

  it('starts one per server when flapping within the cooldown, and counts the rest as cooldown', async () => {
    const w = await world();
    const running = await w.start();
    for (let phase = 1; phase <= 8; phase++) {
      w.clock.advance(PHASE);
      await round(running);
    }
    // Critical in phases 2, 5 and 8: three incidents per server, one export each server.
    expect(starts(w.sim)).toBe(2);
    const text = await scrape(running);
    expect(counter(text, 'started')).toBe(2);
    expect(counter(text, 'cooldown')).toBe(4);
  });

  it('starts again after the cooldown', async () => {
    const w = await world();
    const running = await w.start({ settings: { cooldownMs: 2 * PHASE } });
    for (let phase = 1; phase <= 5; phase++) {
      w.clock.advance(PHASE);
      await round(running);
    }
    expect(starts(w.sim)).toBe(4);
  });

  it('starts none after a restart, keeps tracking what it started, and acts on a server found Critical at start', async () => {
    const w = await world();
    w.clock.advance(2 * PHASE);
    // Found Critical at start: one export each.
    const first = await w.start();
    expect(starts(w.sim)).toBe(2);
    await first.stop(100);
    const second = await w.start();
    await round(second);
    expect(starts(w.sim)).toBe(2);
    const text = await scrape(second);
    for (const k of w.sim.startedExports) expect(text).toContain(`export_id="${k.exportId}",name=`);
    expect(counter(text, 'started')).toBe(0);
    expect(counter(text, 'cooldown')).toBe(0);
  });

  it('refuses to start without --storage.path unless in a dry run: a restart would repeat its starts', async () => {
    const w = await world();
    await expect(w.start({ state: null })).rejects.toThrow(/auto_collect starts exports: it needs --storage.path/);
    expect(starts(w.sim)).toBe(0);
  });

  it('starts nothing while the decision cannot be written to the state file, and starts once it can', async () => {
    const w = await world();
    const running = await w.start();
    // Something that is not the exporter's file now stands where the state file goes (in place of the one the first
    // poll cycle may have written): writes are refused.
    await running.exporter.runner.idle();
    await rm(join(w.dir, 'state.json'), { force: true });
    await mkdir(join(w.dir, 'state.json'));
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(starts(w.sim)).toBe(0);
    expect(counter(await scrape(running), 'failed')).toBe(2);
    const page = await (await fetch(running.url)).text();
    expect(page).toContain('the state file could not be written, so nothing was started');
    await rm(join(w.dir, 'state.json'), { recursive: true });
    await round(running);
    expect(starts(w.sim)).toBe(2);
    expect(counter(await scrape(running), 'started')).toBe(2);
  });

  it('with three shards, starts one export per server, not three', async () => {
    const w = await world();
    w.clock.advance(2 * PHASE);
    const replicas = [];
    for (let index = 0; index < 3; index++) replicas.push(await w.start({ shard: { index, total: 3 }, state: join(w.dir, `state-${index}.json`) }));
    for (const r of replicas) await round(r);
    expect(w.sim.startedExports.map((k) => k.serverId).sort()).toEqual([...CYCLING].sort());
    let started = 0;
    for (const r of replicas) started += counter(await scrape(r), 'started') ?? 0;
    expect(started).toBe(2);
  });

  it('in a dry run, starts nothing but decides, logs and counts', async () => {
    const w = await world();
    const running = await w.start({ settings: { dryRun: true }, state: null });
    w.clock.advance(2 * PHASE);
    await round(running);
    await round(running);
    expect(starts(w.sim)).toBe(0);
    const text = await scrape(running);
    expect(counter(text, 'dry_run')).toBe(2);
    expect(counter(text, 'started')).toBe(0);
    expect(text).not.toContain('origin="auto"');
  });

  it('holds the hourly budget, and frees it an hour later', async () => {
    const w = await world({}, 70);
    const running = await w.start({ settings: { maxPerHour: 1, cooldownMs: PHASE } });
    const toPhase = async (phase: number): Promise<void> => {
      w.clock.ms = w.clock.ms - ((w.clock.ms - T0) % PHASE);
      w.clock.advance((phase - (w.clock.ms - T0) / PHASE) * PHASE);
      await round(running);
    };
    await toPhase(2);
    expect(starts(w.sim)).toBe(1);
    expect(counter(await scrape(running), 'budget')).toBe(1);
    // The next incidents (phase 5) fall in the same hour: both skipped.
    await toPhase(3);
    await toPhase(5);
    expect(starts(w.sim)).toBe(1);
    expect(counter(await scrape(running), 'budget')).toBe(3);
    // Phase 65 is more than an hour after the start: one more, and the budget is spent again.
    await toPhase(63);
    await toPhase(65);
    expect(starts(w.sim)).toBe(2);
    expect(counter(await scrape(running), 'budget')).toBe(4);
  });

  it('counts a 500 on the start as failed and does not repeat it (the export may exist)', async () => {
    const w = await world();
    w.sim.queueStartFaults(CYCLING[0]!, [{ kind: 'error', status: 500, created: true }]);
    const running = await w.start();
    w.clock.advance(2 * PHASE);
    await round(running);
    await round(running);
    await round(running);
    const toFailing = w.sim.requests.filter((r) => r.op === 'start' && r.path.includes(CYCLING[0]!));
    expect(toFailing).toHaveLength(1);
    const text = await scrape(running);
    expect(counter(text, 'failed')).toBe(1);
    expect(counter(text, 'started')).toBe(1);
    const page = await (await fetch(running.url)).text();
    expect(page).toMatch(/data-auto-result="failed"[\s\S]*may have reached CloudDC: not repeated/);
  });

  it('tries again, on a later round, a start that provably reached nothing (a 429)', async () => {
    const w = await world();
    w.sim.queueStartFaults(CYCLING[0]!, [{ kind: 'error', status: 429 }]);
    const running = await w.start();
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(w.sim.startedExports.map((k) => k.serverId)).toEqual([CYCLING[1]]);
    expect(counter(await scrape(running), 'failed')).toBe(1);
    await round(running);
    expect(w.sim.startedExports.map((k) => k.serverId)).toEqual([CYCLING[1], CYCLING[0]]);
    await round(running);
    expect(starts(w.sim)).toBe(3);
    expect(counter(await scrape(running), 'started')).toBe(2);
  });
});
