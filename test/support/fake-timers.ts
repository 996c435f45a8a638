import type { FakeClock } from './factories.js';

/** Timers on a fake clock: `run` fires them in time order until the awaited work is done. */
export class FakeTimers {
  readonly requested: number[] = [];
  #pending: Array<{ at: number; resolve: () => void }> = [];
  constructor(private readonly clock: FakeClock) {}
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      this.requested.push(ms);
      if (signal?.aborted) return reject(new Error('aborted'));
      const timer = { at: this.clock.ms + ms, resolve };
      this.#pending.push(timer);
      signal?.addEventListener('abort', () => {
        this.#pending = this.#pending.filter((t) => t !== timer);
        reject(new Error('aborted'));
      });
    });
  /** Timers not yet fired. */
  get pending(): number {
    return this.#pending.length;
  }
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    void work.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      // Timers due at the same moment fire in the order they were set (a stable sort keeps it).
      this.#pending.sort((a, b) => a.at - b.at);
      const next = this.#pending.shift();
      if (next === undefined) continue;
      this.clock.ms = Math.max(this.clock.ms, next.at);
      next.resolve();
    }
    return work;
  }
}
