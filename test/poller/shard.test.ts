import { afterEach, describe, expect, it } from 'vitest';
import { autoCollectShareProblem, ordinalFromHostname, ownsExport, shardConfig, shardHash } from '../../src/poller/shard.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { account, config, PROJECT, TOKEN } from '../support/config.js';
import { silentLogger, target } from '../support/factories.js';

let sim: Simulator | undefined;
const replicas: Running[] = [];
afterEach(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.stop(100)));
  await sim?.close();
  sim = undefined;
});

const T0 = Date.UTC(2026, 5, 1);
const exportsUnderTest = Array.from({ length: 60 }, (_, i) => target({ serverId: `srv-${i % 7}`, exportId: String(i) }));

function perExportSeries(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('clouddc_log_export_'));
}

describe('sharding', () => {
  it('hashes stably', () => {
    // A fixed value: changing the hash would move every export to another replica on upgrade.
    expect(shardHash({ projectId: 'p', serverId: 's', exportId: '1' })).toBe(shardHash({ projectId: 'p', serverId: 's', exportId: '1' }));
    expect(shardHash({ projectId: 'a', serverId: 'bc', exportId: '' })).not.toBe(shardHash({ projectId: 'ab', serverId: 'c', exportId: '' }));
    expect(shardHash({ projectId: PROJECT, serverId: 'srv-0', exportId: '0' })).toBe(3836946993); // FNV-1a, computed independently;
  });

  it('divides the rate limit and reads the ordinal from a pod name', () => {
    const cfg = shardConfig(config([account('http://x', { rateLimit: { requestsPerSecond: 9, burst: 2 } })], exportsUnderTest), { index: 1, total: 3 });
    expect(cfg.accounts.get('main')?.rateLimit).toEqual({ requestsPerSecond: 3, burst: 1 });
    expect(cfg.exports.every((e) => ownsExport({ index: 1, total: 3 }, e))).toBe(true);
    expect(ordinalFromHostname('clouddc-exporter-2')).toBe(2);
    expect(ordinalFromHostname('clouddc-exporter-12')).toBe(12);
    expect(ordinalFromHostname('clouddc-exporter')).toBeUndefined();
  });

  it('three replicas cover every export exactly once and match one unsharded replica', async () => {
    const now = () => T0;
    sim = await startSimulator({
      token: TOKEN,
      now,
      exports: exportsUnderTest.map((t, i) => ({
        projectId: PROJECT,
        serverId: t.serverId,
        exportId: t.exportId,
        behaviour: i % 5 === 0 ? { kind: 'error', status: 500 } : { kind: 'progress', startedAt: T0 - i * 1000, durationMs: 100_000 },
      })),
    });
    const cfg = config([account(sim.url)], exportsUnderTest);
    const start = async (shard: { index: number; total: number }) => {
      const r = await startExporter({ config: cfg, shard, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, now, defaultMetrics: false });
      replicas.push(r);
      await r.exporter.runner.idle();
      return (await fetch(`${r.url}/metrics`)).text();
    };
    const single = await start({ index: 0, total: 1 });
    const shards = await Promise.all([0, 1, 2].map((index) => start({ index, total: 3 })));

    const union = shards.flatMap(perExportSeries);
    expect(union.sort()).toEqual(perExportSeries(single).sort());
    const infoCounts = shards.map((t) => perExportSeries(t).filter((l) => l.startsWith('clouddc_log_export_info{')).length);
    expect(infoCounts.reduce((a, b) => a + b, 0)).toBe(60);
    expect(Math.min(...infoCounts)).toBeGreaterThan(5);
    shards.forEach((t, i) => {
      expect(t).toContain(`clouddc_exporter_shard_ordinal ${i}`);
      expect(t).toContain('clouddc_exporter_total_shards 3');
    });
  });
});

describe('autoCollectShareProblem', () => {
  const withBudget = (maxPerHour: number, dryRun = false) => ({
    ...config([account('http://x')], []),
    autoCollect: { healthStates: ['Critical' as const], cooldownMs: 3_600_000, maxPerHour, dryRun },
  });

  it("says when a replica's share of max_per_hour is under one start per hour", () => {
    expect(autoCollectShareProblem(withBudget(2), { index: 0, total: 3 })).toMatch(/max_per_hour \(2\) is shared by 3 replicas.*set it to 3 or more/);
    expect(autoCollectShareProblem(withBudget(3), { index: 2, total: 3 })).toBeUndefined();
    expect(shardConfig(withBudget(3), { index: 2, total: 3 }).autoCollect?.maxPerHour).toBe(1);
  });

  it('is silent for one replica, a dry run and no auto_collect', () => {
    expect(autoCollectShareProblem(withBudget(1), { index: 0, total: 1 })).toBeUndefined();
    expect(autoCollectShareProblem(withBudget(1, true), { index: 0, total: 3 })).toBeUndefined();
    expect(autoCollectShareProblem(config([account('http://x')], []), { index: 0, total: 3 })).toBeUndefined();
  });
});
