import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASE, round, scrape, world } from './world.js';

const MiB = 2 ** 20;

function downloads(text: string, result: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`clouddc_exporter_auto_collect_downloads_total{account="main",result="${result}"}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('auto_collect.download against the simulator', () => {
  it('fetches each completed bundle into dir under a safe, unique name, and keeps dir under max_bytes', async () => {
    const w = await world({ bundleLogBytes: 700 * 1024 });
    const dir = join(w.dir, 'bundles');
    await mkdir(dir);
    // Someone else's hidden file is never counted or removed.
    await writeFile(join(dir, '.keep'), 'x'.repeat(2 * MiB));
    const running = await w.start({ settings: { download: { dir, maxBytes: MiB } } });
    w.clock.advance(2 * PHASE);
    await round(running);
    expect(w.sim.startedExports).toHaveLength(2);
    // Not completed yet: nothing to fetch.
    await running.exporter.pollOnce();
    await running.exporter.downloader.run();
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual([]);
    w.clock.advance(31_000);
    await running.exporter.pollOnce();
    await running.exporter.downloader.run();
    const text = await scrape(running);
    expect(downloads(text, 'ok')).toBe(2);
    expect(downloads(text, 'failed')).toBe(0);
    // Two bundles of about 700 KiB each: the older one went to stay under 1 MiB; no partial file is left.
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.part'))).toEqual([]);
    const bundles = names.filter((n) => !n.startsWith('.'));
    expect(bundles).toHaveLength(1);
    const last = w.sim.startedExports[1]!;
    expect(bundles[0]).toMatch(new RegExp(`^${last.exportId}-2102[0-9A-Z]+-dump\\.tar\\.gz$`));
    expect((await stat(join(dir, bundles[0]!))).size).toBeGreaterThan(700 * 1024);
    expect(names).toContain('.keep');
    // Downloaded once: later cycles fetch nothing more.
    await running.exporter.pollOnce();
    await running.exporter.downloader.run();
    expect(w.sim.requests.filter((r) => r.op === 'download')).toHaveLength(2);
    const page = await (await fetch(running.url)).text();
    expect(page.match(/data-auto-result="downloaded"/g)).toHaveLength(2);
  });

  it('counts a failed download, tries again after the next poll, and gives up after three', async () => {
    const w = await world();
    const dir = join(w.dir, 'bundles');
    const running = await w.start({ settings: { download: { dir, maxBytes: MiB } } });
    w.clock.advance(2 * PHASE);
    await round(running);
    for (const key of w.sim.startedExports) w.sim.setBundle(key, { error: { status: 500 } });
    w.clock.advance(31_000);
    for (let i = 0; i < 5; i++) {
      await running.exporter.pollOnce();
      await running.exporter.downloader.run();
    }
    expect(downloads(await scrape(running), 'failed')).toBe(6);
    expect(w.sim.requests.filter((r) => r.op === 'download')).toHaveLength(6);
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});
