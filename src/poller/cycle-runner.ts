import type { Tick } from './pacing.js';

/**
 * Decides what a schedule tick does: start a cycle, or, when the previous one is still running, start it as
 * soon as that one ends. Waiting for the following tick instead would cost every export a whole extra interval
 * for an overrun of a second. Kept apart from node-cron so that tests drive it with plain calls.
 */
export interface CycleRunner {
  /**
   * Starts a cycle unless one is running; resolves when the started cycle ends (or at once when one is running).
   * `info` comes from the schedule; cycles started any other way have none. A scheduled tick that finds a cycle
   * running is counted (onSkip) and its cycle starts late, as soon as the running one ends; of several such
   * ticks in one overrun only the latest runs. A scheduled tick that finds an unscheduled cycle running (the
   * start-up cycle, a cycle by hand) is dropped: that cycle does its work, and it is no overrun of the interval.
   */
  tick(info?: Tick): Promise<void>;
  /** Forgets a late tick not started yet (the schedule stopped). */
  cancelLate(): void;
  /**
   * Resolves when the cycle running now ends (at once when none is). A late tick's cycle may start right then:
   * under a steady overrun there is always one, so waiting for "none at all" could wait forever.
   */
  idle(): Promise<void>;
  readonly running: boolean;
}

/** `now` is the schedule's clock (wall time, like node-cron's tick times), used only to say how late a tick runs. */
export function createCycleRunner(runCycle: (tick?: Tick) => Promise<void>, onSkip: () => void, now: () => number = Date.now): CycleRunner {
  let current: Promise<void> | undefined;
  let currentScheduled = false;
  let late: Tick | undefined;
  const start = (info: Tick | undefined): Promise<void> => {
    currentScheduled = info !== undefined;
    const cycle = runCycle(info)
      .catch(() => undefined)
      .finally(() => {
        current = undefined;
        const next = late;
        late = undefined;
        // The late cycle's promise is `current` now, which whoever waits for the runner awaits.
        if (next !== undefined) void start({ ...next, lateMs: Math.max(0, now() - next.scheduledAt) });
      });
    current = cycle;
    return cycle;
  };
  return {
    get running() {
      return current !== undefined;
    },
    tick(info) {
      if (current) {
        // The start-up cycle (or one by hand) stands in for a scheduled tick that arrives while it runs: polling
        // everything again right after it would only repeat it, and it is no overrun of the interval.
        if (info !== undefined && !currentScheduled) return Promise.resolve();
        onSkip();
        if (info !== undefined) late = info;
        return Promise.resolve();
      }
      return start(info);
    },
    cancelLate() {
      late = undefined;
    },
    idle() {
      return current ?? Promise.resolve();
    },
  };
}
