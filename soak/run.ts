/**
 * `npm run soak`: the exporter (in this process) polls 10,000 exports on the simulator (a child process) every
 * 5 s under a scripted mix of faults, while a scraper (another child process) fetches /metrics every second.
 * Bounded and local: everything listens on 127.0.0.1, and a watchdog ends the run.
 *
 *   node --expose-gc build/soak/run.js [--duration=10m] [--exports=10000] [--warmup=60s] [--seed=20261127] [--profile=mixed]
 *
 * Profiles: `mixed` (default) scripts about 4 % of polls to fail in ten ways, with retries off. `failing` makes
 * 20 % of the exports answer 500 to every request, with retries and backoff at their defaults, and checks that
 * the healthy 80 % stay fresh (freshness.ts).
 *
 * Figures, measured on a shared machine (exit 1 when one is missed):
 * - resident memory grows by at most 10 % from the end of the warm-up to the end of the run;
 * - event-loop delay p99 (perf_hooks.monitorEventLoopDelay) at most 50 ms after the warm-up;
 * - scrape p99 after the warm-up within the benchmark's /metrics target (30 ms, bench figure 1). Beside it, a
 *   control: a process that only serves the same bytes in the same chunks, scraped the same way half a second
 *   later, shows what moving that much data costs on this machine under the same load.
 * Checks, which hold on any machine (exit 3 when one fails, whatever the figures):
 * - no scrape fails;
 * - every failed poll was injected by the simulator: the exporter's error counters equal, code by code, the
 *   faults the simulator's plan scripted for the requests it received; and the requests sent equal those received;
 * - no unhandled rejection and no process warning;
 * - `failing` profile: no healthy export's last-success age, sampled every second, ever exceeds twice the
 *   interval, and the staleness alert's condition (its threshold scaled to the interval) never holds for one.
 * Exit 2 when the soak itself fails to run.
 *
 * options.ts reads the command line and holds the profiles' poll settings; session.ts runs the processes and
 * samples; report.ts turns what it measured into the table and the exit code.
 */
import { machineLine } from '../bench/machine.js';
import { describeRun, parseArgs, type Options } from './options.js';
import { rows as judge, table, verdict, type Row } from './report.js';
import { soak } from './session.js';

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`soak: ${(err as Error).message}`);
    return 2;
  }
  const watchdog = setTimeout(
    () => {
      console.error(`[soak] gave up: the run took 5 minutes longer than --duration`);
      process.exit(2);
    },
    o.durationMs + 5 * 60_000,
  );
  watchdog.unref();
  console.log(`machine: ${machineLine()}`);
  console.log(describeRun(o));
  let rows: Row[];
  try {
    rows = judge(o, await soak(o));
  } catch (err) {
    console.error('[soak] failed:', err);
    return 2;
  }
  console.log('');
  console.log(table(rows));
  console.log('');
  const { line, code } = verdict(rows);
  console.log(line);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[soak] failed:', err);
    process.exit(2);
  },
);
