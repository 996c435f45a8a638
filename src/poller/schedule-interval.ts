import cron from 'node-cron';

/** How many upcoming runs are compared; enough to see every gap of a daily or hourly pattern. */
const RUNS = 32;

/**
 * The longest gap, in seconds, between consecutive runs of a cron schedule ("*\/30 * * * * *" → 30;
 * "0 9,17 * * *" → 57600). The longest rather than the first gap: staleness alerts compare against it, and
 * must not fire during the long gap of an irregular schedule. 0 when the schedule has fewer than two runs.
 */
export function scheduleIntervalSeconds(expression: string): number {
  const task = cron.createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(RUNS).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i]! - runs[i - 1]!);
    return longest / 1000;
  } finally {
    void task.destroy();
  }
}
