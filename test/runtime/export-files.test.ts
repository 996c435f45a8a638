import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { runExportCommand } from '../../src/cli/export/index.js';
import { ExportFileSet } from '../../src/config/export-files.js';
import { loadConfigFile } from '../../src/config/load.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator } from '../../src/simulator/index.js';
import { stopAfterTest } from '../support/cleanup.js';
import { silentLogger } from '../support/factories.js';

const PROJECT = '0123456789abcdef0123456789abcdef';
const TOKEN = 'MIIexport-files-token';
const SCHEDULE_MS = 2000;

async function world(logger = silentLogger) {
  const sim = stopAfterTest(await startSimulator({ token: TOKEN, newExportBehaviour: { kind: 'progress', durationMs: 600_000 } }));
  for (const s of ['a', 'b'])
    for (const id of ['1', '2']) sim.setBehaviour({ projectId: PROJECT, serverId: s, exportId: id }, { kind: 'progress', durationMs: 600_000 });
  const dir = mkdtempSync(join(tmpdir(), 'export-files-e2e-'));
  mkdirSync(join(dir, 'exports.d'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `poll:\n  schedule: "*/${SCHEDULE_MS / 1000} * * * * *"\n  retries: 0\naccounts:\n  main:\n    endpoint: ${sim.url}\n    project_id: "${PROJECT}"\n` +
      `    auth: {token: ${TOKEN}}\nexports: []\nexport_files: [exports.d/*.yaml]\n`,
  );
  const exportFiles = new ExportFileSet(file);
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const merged = await exportFiles.load(loaded.value);
  const running: Running = stopAfterTest(
    await startExporter({
      config: merged.config,
      exportFiles,
      logger,
      listen: { host: '127.0.0.1', port: 0 },
      configFile: file,
      autoReloadIntervalMs: 250,
      defaultMetrics: false,
    }),
  );
  const tracked = () => [...running.exporter.store.states()].map((s) => `${s.target.serverId}/${s.target.exportId}`).sort();
  return { sim, dir, file, running, tracked, write: (name: string, text: string) => writeFileSync(join(dir, 'exports.d', name), text) };
}

describe('export files in a running exporter', () => {
  it('sees no change at the first check after start: start-up fingerprints the export files too', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const w = await world(logger);
    // Nothing changed since start-up, so no check may reload (the watcher's own checks run every 250 ms, too).
    await w.running.reloader!.checkForChange();
    await w.running.reloader!.checkForChange();
    expect(lines.filter((l) => l.includes('configuration reloaded'))).toEqual([]);
    // A real change still reloads.
    w.write('a.yaml', `- {server_id: a, export_id: "1"}\n`);
    await w.running.reloader!.checkForChange();
    expect(lines.filter((l) => l.includes('configuration reloaded'))).toHaveLength(1);
  });

  it('polls an export started with --track-file in the next cycle, without a reload signal', async () => {
    const w = await world();
    const track = join(w.dir, 'exports.d', 'started.yaml');
    let stdout = '';
    const code = await runExportCommand(['start', `--config.file=${w.file}`, '--server=n1', `--track-file=${track}`, '--name=night', '--label=ticket=INC-7'], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => true },
      signal: new AbortController().signal,
      env: {},
    });
    expect(code).toBe(0);
    const started = performance.now();
    const exportId = w.sim.startedExports[0]?.exportId;
    expect(stdout).toContain(`n1      ${exportId}`);
    const polled = () => w.sim.requests.some((r) => r.op === 'status' && r.key?.serverId === 'n1' && r.key.exportId === exportId);
    const cycles = async () => (await w.running.metrics.cyclesTotal.get()).values[0]?.value ?? 0;
    // Counted in schedule ticks, not milliseconds: the file check (every 250 ms) picks the file up without a
    // reload signal, and the next cycle to start polls it. A cycle already running when the file was picked up
    // may end without it; the one after must not.
    await vi.waitFor(() => expect(w.tracked()).toContain(`n1/${exportId}`), { timeout: 10_000, interval: 20 });
    const cyclesWhenTracked = await cycles();
    await vi.waitFor(async () => expect(polled() || (await cycles()) >= cyclesWhenTracked + 2).toBe(true), { timeout: 5 * SCHEDULE_MS, interval: 20 });
    expect(polled(), `polled within the next cycle (cycles finished: ${cyclesWhenTracked} when tracked, ${await cycles()} now)`).toBe(true);
    console.log(
      `export started with --track-file: first polled ${Math.round(performance.now() - started)} ms after the start command returned (schedule interval ${SCHEDULE_MS} ms, file check every 250 ms)`,
    );
    const state = [...w.running.exporter.store.states()].find((s) => s.target.serverId === 'n1');
    expect(state?.target).toMatchObject({ name: 'night', labels: { ticket: 'INC-7' }, account: 'main' });
  });

  it("keeps a broken file's old exports and only those, and shows the failure in metrics and on the status page", async () => {
    const w = await world();
    w.write('a.yaml', '- {server_id: a, export_id: "1"}\n');
    w.write('b.yaml', '- {server_id: b, export_id: "1"}\n');
    await w.running.reloader!.checkForChange();
    expect(w.tracked()).toEqual(['a/1', 'b/1']);

    w.write('a.yaml', '- {server_id: a, export_id: "2"\n');
    w.write('b.yaml', '- {server_id: b, export_id: "2"}\n');
    await w.running.reloader!.checkForChange();
    expect(w.tracked()).toEqual(['a/1', 'b/2']);

    const a = join(w.dir, 'exports.d', 'a.yaml');
    const b = join(w.dir, 'exports.d', 'b.yaml');
    const metrics = await (await fetch(`${w.running.url}/metrics`)).text();
    expect(metrics).toContain(`clouddc_exporter_export_file_last_load_success{path="${a}"} 0`);
    expect(metrics).toContain(`clouddc_exporter_export_file_last_load_success{path="${b}"} 1`);
    expect(metrics).toContain(`clouddc_exporter_export_file_exports{path="${a}"} 1`);
    const page = await (await fetch(`${w.running.url}/`)).text();
    expect(page).toContain('<h2>Export files</h2>');
    expect(page).toMatch(new RegExp(`<tr data-file-ok="0"><td class="id">${a}</td>.*keeping last good content`));

    w.write('a.yaml', '- {server_id: a, export_id: "2"}\n');
    await w.running.reloader!.checkForChange();
    expect(w.tracked()).toEqual(['a/2', 'b/2']);
    expect(await (await fetch(`${w.running.url}/metrics`)).text()).toContain(`clouddc_exporter_export_file_last_load_success{path="${a}"} 1`);
  });
});
