import cron from 'node-cron';
import type { Logger } from 'pino';
import type { CycleRunner } from './cycle-runner.js';
import type { Tick } from './pacing.js';

export interface Schedule {
  stop(): Promise<void>;
}

/**
 * Ticks the cycle runner on a node-cron schedule, and once at once so that data exists before
 * the first tick. node-cron's own overlap handling is left off: the runner skips and counts.
 * Scheduled ticks carry the time of the following one, which is what a spread cycle divides up;
 * it is taken from node-cron rather than parsed here, so irregular expressions ("0 9,17 * * *") work.
 */
export function startSchedule(expression: string, runner: CycleRunner, logger: Logger): Schedule {
  const task = cron.schedule(expression, (ctx) => void runner.tick(tickOf(ctx.date, task.getNextRun())), {
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

function tickOf(scheduled: Date, next: Date | null): Tick {
  const scheduledAt = scheduled.getTime();
  return next === null ? { scheduledAt } : { scheduledAt, nextAt: next.getTime() };
}
