/**
 * `npm run bench`: eight performance figures, each beside a baseline measured in the same run.
 * Exits 1 when a target is missed, 2 when the bench itself fails or runs too long.
 * `node --expose-gc build/bench/run.js 1 3` runs only figures 1 and 3. BENCH_HELD_BASELINE=1 adds, to figure 5,
 * the failing cycle with each backoff keeping its slot (the old behaviour; takes about 1.5 minutes).
 */
import { benchCycle } from './cycle.js';
import { benchFailingCycle } from './failing-cycle.js';
import { benchGzipFlood } from './gzip-flood.js';
import { benchExportFilesCpu } from './export-files-cpu.js';
import { benchFleet } from './fleet.js';
import { benchTargets, EXPORTS, gc, SERVERS } from './fixtures.js';
import { machineLine } from './machine.js';
import { benchMemory } from './memory.js';
import { benchPollCpu } from './poll-cpu.js';
import { formatTable, type Row } from './report.js';
import { benchScrape } from './scrape.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

const WATCHDOG_MS = 10 * 60_000;

function step(name: string): void {
  console.error(`[bench] ${name}...`);
}

async function run(wanted: (n: number) => boolean, rows: Row[]): Promise<void> {
  if (wanted(1)) {
    step('1/8 /metrics scrape');
    rows.push(...(await benchScrape(EXPORTS)));
    gc();
  }
  if (wanted(7)) {
    step('7/8 idle CPU with 10,000 export files');
    rows.push(...(await benchExportFilesCpu()));
  }
  if (wanted(8)) {
    step('8/8 server discovery, 10,000 servers beside 10,000 exports');
    rows.push(...(await benchFleet(EXPORTS, SERVERS)));
    gc();
  }
  if (![2, 3, 4, 5, 6].some(wanted)) return;
  let sim: SimProcess | undefined;
  try {
    step('starting the simulator child');
    sim = await startSimProcess(EXPORTS);
    const targets = benchTargets(EXPORTS);
    if (wanted(2)) {
      step('2/8 CPU per poll');
      rows.push(...(await benchPollCpu(sim.url, targets, { polls: 2000, rounds: 5, concurrency: 16 })));
      gc();
    }
    if (wanted(3)) {
      step('3/8 poll cycle');
      rows.push(...(await benchCycle(sim, targets, { concurrency: 64, latencyMs: 20, reps: 3 })));
      gc();
    }
    if (wanted(4)) {
      step('4/8 resident memory');
      rows.push(...(await benchMemory(sim.url, EXPORTS)));
      gc();
    }
    if (wanted(5)) {
      step('5/8 poll cycle with 20 % of exports failing');
      rows.push(
        ...(await benchFailingCycle(sim, targets, {
          concurrency: 16,
          latencyMs: 0,
          reps: 3,
          failEvery: 5,
          retries: 2,
          backoffInitialMs: 500,
          backoffMaxMs: 30_000,
          heldBaseline: process.env.BENCH_HELD_BASELINE === '1',
        })),
      );
      gc();
    }
    if (wanted(6)) {
      step('6/8 200 concurrent gzip scrapes');
      rows.push(...(await benchGzipFlood(sim.url, EXPORTS)));
    }
  } finally {
    await sim?.stop();
  }
}

async function main(): Promise<number> {
  const only = process.argv.slice(2).map(Number);
  const wanted = (n: number) => only.length === 0 || only.includes(n);
  console.log(`machine: ${machineLine()}`);
  const rows: Row[] = [];
  let error: unknown;
  try {
    await run(wanted, rows);
  } catch (err) {
    error = err;
  }
  console.log('');
  console.log(formatTable(rows));
  console.log('');
  if (error !== undefined) {
    console.error('[bench] failed:', error);
    return 2;
  }
  const failed = rows.filter((r) => r.pass === false);
  console.log(failed.length === 0 ? 'all targets met' : `${failed.length} target(s) missed`);
  return failed.length === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.error(`[bench] gave up after ${WATCHDOG_MS / 1000} s`);
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
    clearTimeout(watchdog);
  },
  (err: unknown) => {
    console.error('[bench] failed:', err);
    process.exitCode = 2;
    clearTimeout(watchdog);
  },
);
