import type { Tick } from './pacing.js';

/**
 * Decides what a schedule tick does: start a cycle, or skip it because the previous one is
 * still running. Kept apart from node-cron so that tests drive it with plain calls.
 */
export interface CycleRunner {
  /**
   * Starts a cycle unless one is running; resolves when the started cycle ends (or at once on skip).
   * `info` comes from the schedule; cycles started any other way have none.
   */
  tick(info?: Tick): Promise<void>;
  /** Resolves when no cycle is running. */
  idle(): Promise<void>;
  readonly running: boolean;
}

export function createCycleRunner(runCycle: (tick?: Tick) => Promise<void>, onSkip: () => void): CycleRunner {
  let current: Promise<void> | undefined;
  return {
    get running() {
      return current !== undefined;
    },
    tick(info) {
      if (current) {
        onSkip();
        return Promise.resolve();
      }
      current = runCycle(info)
        .catch(() => undefined)
        .finally(() => {
          current = undefined;
        });
      return current;
    },
    idle() {
      return current ?? Promise.resolve();
    },
  };
}
