import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

interface Row {
  readonly name: string;
  readonly server_id: string;
  readonly labels: Record<string, string>;
}

async function exportsOf(base: string): Promise<Row[]> {
  return ((await (await fetch(`${base}/api/v1/exports`)).json()) as { exports: Row[] }).exports;
}

describe('the demo', () => {
  it('starts a log export after 10 s that appears on the status page without a restart, and so does one started by hand', { timeout: 60_000 }, async () => {
    const cli = runCli(['--demo', '--web.listen-address=127.0.0.1:0', '--config.auto-reload-interval=500ms']);
    try {
      const [, base] = await cli.waitFor(/Status page:\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      const [, command] = await cli.waitFor(/node dist\/src\/main\.js (export start [^\n]+)/);
      expect(await exportsOf(base!)).toHaveLength(11);

      // The command the banner prints, run as printed (with another server id).
      const args = command!.split(' ').map((a) => a.replace('--server=my-server', '--server=srv-by-hand'));
      const byHand = runCli(args);
      expect(await byHand.exited).toBe(0);

      const deadline = Date.now() + 30_000;
      let rows: Row[] = [];
      while (Date.now() < deadline) {
        rows = await exportsOf(base!);
        if (rows.length >= 13) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const started = rows.filter((r) => r.labels['scenario'] === 'started_by_demo');
      expect(started.map((r) => r.server_id).sort()).toEqual(['4c8e2a17-b3d9-4f60-a1e5-7d2b9c0f8e34', 'srv-by-hand']);
      expect(started.every((r) => /^started-\d+$/.test(r.name))).toBe(true);
      const page = await (await fetch(`${base}/`)).text();
      expect(page).toContain('srv-by-hand');
      expect(page).toContain('<h2>Export files</h2>');
    } finally {
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});
