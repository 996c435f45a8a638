import dns from 'node:dns';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect } from 'vitest';
import type { AccountSettings, PollSettings } from '../../src/domain/config.js';
import type { ExportTarget } from '../../src/domain/export.js';
import { startExporter, type Running } from '../../src/runtime/start.js';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { logSink } from '../support/auth-world.js';
import { account, config, TOKEN } from '../support/config.js';
import { FakeClock, target } from '../support/factories.js';
import pino from 'pino';

/**
 * The fault suite's rig: the exporter (startExporter, as main.ts wires it) polling the simulator, with a fake
 * wall clock so that timestamps are exact, and cycles started by hand, which is all a schedule tick does.
 * Transport timeouts run on real time, kept short.
 */

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const INTERVAL_MS = 5000;

/** A healthy answer that stays the same, so every export is polled every cycle. */
export const HEALTHY: Behaviour = { kind: 'progress', startedAt: T0 - 60_000, durationMs: 24 * 3600_000 };

export const faulted = (i = 0): ExportTarget => target({ serverId: `faulted-${i}`, exportId: String(100 + i), name: `faulted-${i}` });
export const bystander = target({ account: 'other', serverId: 'bystander', exportId: '1', name: 'bystander' });

export interface RigOptions {
  /** Exports of account "main", whose endpoint takes the fault; default one. */
  readonly faulted?: number;
  /** Account "main"'s endpoint; default the simulator. */
  readonly endpoint?: (sim: Simulator) => string | Promise<string>;
  readonly poll?: Partial<PollSettings>;
  readonly main?: Partial<AccountSettings>;
}

export interface Rig {
  readonly clock: FakeClock;
  readonly sim: Simulator;
  readonly running: Running;
  readonly targets: readonly ExportTarget[];
  /** Everything the exporter logged, parsed. */
  logs(): Array<Record<string, unknown>>;
}

let rigs: Array<{ running?: Running; sim?: Simulator }> = [];
let cleanups: Array<() => unknown> = [];

/** Runs after the test, once its rigs are closed (gates, patched resolvers, extra simulators). */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const clock = new FakeClock(T0);
  const targets = Array.from({ length: opts.faulted ?? 1 }, (_, i) => faulted(i));
  const sim = await startSimulator({
    token: TOKEN,
    now: clock.now,
    exports: [...targets, bystander].map((t) => ({ projectId: t.projectId, serverId: t.serverId, exportId: t.exportId, behaviour: HEALTHY })),
  });
  const entry: { running?: Running; sim?: Simulator } = { sim };
  rigs.push(entry);
  const sink = logSink();
  const logger = pino({ level: 'debug' }, sink.stream);
  const main = account((await opts.endpoint?.(sim)) ?? sim.url, { ...opts.main });
  const other = account(sim.url, { name: 'other' });
  const running = await startExporter({
    config: config([main, other], [...targets, bystander], { timeoutMs: 400, ...opts.poll }),
    logger,
    listen: { host: '127.0.0.1', port: 0 },
    now: clock.now,
    defaultMetrics: false,
  });
  entry.running = running;
  // startExporter runs the first cycle at once.
  await running.exporter.runner.idle();
  return { clock, sim, running, targets, logs: sink.lines };
}

async function closeRigs(): Promise<void> {
  const all = rigs;
  rigs = [];
  for (const r of all) {
    await r.running?.stop(100);
    await r.sim?.close();
  }
  const fns = cleanups;
  cleanups = [];
  for (const fn of fns.reverse()) await fn();
}

export interface Scrape {
  readonly text: string;
}

/** GET /metrics, which must answer 200; a scrape stuck for 5 s fails the test rather than hanging it. */
export async function scrape(rig: Rig): Promise<Scrape> {
  const res = await fetch(`${rig.running.url}/metrics`, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  expect(res.status).toBe(200);
  return { text };
}

/** The value of the first sample of `family` whose labels include every `key="value"` given; undefined if none. */
export function value(text: string, family: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!(line.startsWith(`${family}{`) || line.startsWith(`${family} `))) continue;
    const head = line.slice(0, line.lastIndexOf(' '));
    if (wanted.every((w) => head.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** GET /api/v1/exports/{p}/{s}/{e}: the export as the JSON API shows it. */
export async function exportJson(rig: Rig, t: ExportTarget): Promise<Record<string, any>> {
  const path = [t.projectId, t.serverId, t.exportId].map(encodeURIComponent).join('/');
  const res = await fetch(`${rig.running.url}/api/v1/exports/${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

export const forExport = (t: ExportTarget): Record<string, string> => ({ server_id: t.serverId, export_id: t.exportId });

/**
 * One poll cycle as a schedule tick starts it, with /metrics scraped over and over while it runs. Counts the
 * scrapes answered while the cycle was still running: a scrape that waited for the cycle's polls would only be
 * answered once the cycle had ended (its end is noted a microtask after it settles, before any socket answers).
 */
export async function cycleWhileScraping(rig: Rig): Promise<{ scrapes: number; scrapesDuringCycle: number }> {
  rig.clock.advance(INTERVAL_MS);
  let done = false;
  const cycle = rig.running.exporter.pollOnce().finally(() => {
    done = true;
  });
  let scrapes = 0;
  let scrapesDuringCycle = 0;
  // At least one scrape, and more for as long as the cycle lasts.
  do {
    await scrape(rig);
    scrapes++;
    if (!done) {
      scrapesDuringCycle++;
      await new Promise((r) => setTimeout(r, 50));
    }
  } while (!done);
  await cycle;
  return { scrapes, scrapesDuringCycle };
}

export interface FaultExpectation {
  /** The reason each failed poll is counted under. */
  readonly code: string;
  /** Failed cycles to run; default 2. */
  readonly cycles?: number;
  /**
   * Scrapes that must have been answered while a failing cycle was still running; default 0. Set it where the
   * fault holds a poll (a hang, a trickle): then /metrics provably does not wait for that poll.
   */
  readonly minScrapesPerCycle?: number;
  /** Extra checks after each failed cycle (k = failed polls per faulted export so far). */
  readonly during?: (text: string, k: number) => void;
  /** Extra checks after recovery. */
  readonly after?: (text: string, failed: number) => void;
}

/**
 * The contract every fault case checks:
 * - /metrics answers during every failing cycle, while a held poll is still held (minScrapesPerCycle);
 * - the error counter of `code` counts exactly the failed polls, and no other code moves;
 * - poll_success is 0 and last_poll_success stays at the last good poll while the fault lasts; the bystander
 *   (another account, same simulator) is untouched;
 * - when the fault ends, the next cycle succeeds: poll_success 1, last success now, the counter stays put.
 */
export async function expectFaultContract(rig: Rig, begin: () => unknown, end: () => unknown, e: FaultExpectation): Promise<void> {
  const first = (await scrape(rig)).text;
  const lastGood = T0 / 1000;
  for (const t of rig.targets) {
    expect(value(first, 'clouddc_log_export_poll_success', forExport(t))).toBe(1);
    expect(value(first, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t))).toBe(lastGood);
  }
  const codesBefore = errorCodes(first);

  await begin();
  const n = e.cycles ?? 2;
  for (let k = 1; k <= n; k++) {
    const { scrapes, scrapesDuringCycle } = await cycleWhileScraping(rig);
    expect(scrapes).toBeGreaterThanOrEqual(1);
    expect(scrapesDuringCycle, 'scrapes answered while the failing cycle ran').toBeGreaterThanOrEqual(e.minScrapesPerCycle ?? 0);
    const text = (await scrape(rig)).text;
    for (const t of rig.targets) {
      expect(value(text, 'clouddc_log_export_api_errors_total', { ...forExport(t), code: e.code }), `errors{code="${e.code}"} after ${k} failed polls`).toBe(k);
      expect(value(text, 'clouddc_log_export_poll_success', forExport(t))).toBe(0);
      expect(value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t))).toBe(lastGood);
    }
    // Only `code` moved, and only for the faulted exports.
    expect(errorCodes(text)).toEqual(addCode(codesBefore, e.code, k * rig.targets.length));
    expect(value(text, 'clouddc_log_export_poll_success', forExport(bystander))).toBe(1);
    expect(value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(bystander))).toBe(rig.clock.ms / 1000);
    e.during?.(text, k);
  }

  await end();
  rig.clock.advance(INTERVAL_MS);
  await rig.running.exporter.pollOnce();
  const text = (await scrape(rig)).text;
  for (const t of rig.targets) {
    expect(value(text, 'clouddc_log_export_poll_success', forExport(t)), 'recovered').toBe(1);
    expect(value(text, 'clouddc_log_export_last_poll_success_timestamp_seconds', forExport(t))).toBe(rig.clock.ms / 1000);
    expect(value(text, 'clouddc_log_export_api_errors_total', { ...forExport(t), code: e.code })).toBe(n);
  }
  expect(errorCodes(text)).toEqual(addCode(codesBefore, e.code, n * rig.targets.length));
  e.after?.(text, n);
  expectNoErrorLogs(rig);
}

/** Sum of clouddc_log_export_api_errors_total per code, over every export. */
export function errorCodes(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^clouddc_log_export_api_errors_total\{[^}]*code="([^"]+)"[^}]*\} (\S+)$/gm)) {
    out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}

function addCode(codes: Record<string, number>, code: string, n: number): Record<string, number> {
  return { ...codes, [code]: (codes[code] ?? 0) + n };
}

/** Failed polls are warnings; an error-level line would mean something broke inside the exporter. */
export function expectNoErrorLogs(rig: Rig): void {
  const bad = rig.logs().filter((l) => typeof l.level === 'number' && l.level >= 50);
  expect(bad).toEqual([]);
}

/**
 * Unhandled rejections, uncaught exceptions and process warnings, collected per test: each must stay empty.
 * Also closes the rigs a test started.
 */
export function watchProcess(): void {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => seen.push(`unhandledRejection: ${String(reason)}`);
  const onWarning = (w: Error) => seen.push(`warning: ${w.name}: ${w.message}`);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', onRejection);
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    await closeRigs();
    // Let late socket errors and timers surface before judging.
    await new Promise((r) => setTimeout(r, 50));
    process.off('unhandledRejection', onRejection);
    process.off('warning', onWarning);
    expect(seen).toEqual([]);
  });
}

/** A TCP front for the simulator that can stop listening (connection refused) and listen again on the same port. */
export interface Gate {
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startGate(targetPort: number): Promise<Gate> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    // Let the exporter's side see its connections end (an I/O turn), as it would long before a real next poll;
    // otherwise the next request races the FIN on a dead keep-alive socket.
    await new Promise((r) => setTimeout(r, 20));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    down,
    up: listen,
    close: down,
  };
}

/**
 * Makes `host` resolve to 127.0.0.1 while `resolving` is true; otherwise the real resolver answers, and for a
 * name under .invalid (RFC 2606) it fails. node:net looks names up through dns.lookup at connect time.
 */
export function fakeDns(host: string): { resolving: boolean; restore(): void } {
  const original = dns.lookup;
  const state = {
    resolving: false,
    restore() {
      dns.lookup = original;
    },
  };
  const patched = function (this: unknown, hostname: string, options: unknown, callback?: unknown): void {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address?: unknown, family?: number) => void;
    const o = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (hostname === host && state.resolving) {
      process.nextTick(() => (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
      return;
    }
    // eslint-disable-next-line prefer-rest-params
    (original as (...args: unknown[]) => void).apply(this, [...arguments]);
  };
  dns.lookup = patched as typeof dns.lookup;
  return state;
}
