import cron from 'node-cron';
import type { Logger } from 'pino';
import type { CycleRunner } from './cycle-runner.js';

export interface Schedule {
  stop(): Promise<void>;
}

/**
 * Ticks the cycle runner on a node-cron schedule, and once at once so that data exists before
 * the first tick. node-cron's own overlap handling is left off: the runner skips and counts.
 */
export function startSchedule(expression: string, runner: CycleRunner, logger: Logger): Schedule {
  const task = cron.schedule(expression, () => void runner.tick(), {
    name: 'poll-cycle',
    logger: {
      info: (m) => logger.debug(m),
      warn: (m) => logger.debug(m),
      error: (m) => logger.warn(String(m)),
      debug: (m) => logger.trace(String(m)),
    },
    suppressMissedWarning: true,
  });
  void runner.tick();
  return {
    async stop() {
      await task.stop();
      await (task as { destroy?: () => void | Promise<void> }).destroy?.();
    },
  };
}
