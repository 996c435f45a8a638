import type { Slot } from '../domain/poll.js';

/**
 * The cycle's `poll.concurrency`: how many polls may have a request in flight (or be about to send one) at
 * once. A poll that waits for a retry gives its slot back (see Slot), so a partial outage whose retries back
 * off for seconds does not stop the healthy exports from being polled.
 *
 * A freed slot goes to the longest-waiting retry first, and only when no retry waits to a poll that has not
 * started: a retry that is due has waited already, and new polls queuing ahead of it would starve it.
 */
export class SlotPool {
  #free: number;
  readonly #retries: Waiter[] = [];
  readonly #fresh: Waiter[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  /** Slots neither held nor handed to a waiter. */
  get free(): number {
    return this.#free;
  }

  /** A slot at once for a new poll, when one is free and no retry is waiting; null otherwise. */
  tryLease(): Lease | null {
    if (this.#free === 0 || this.#retries.length > 0) return null;
    this.#free--;
    return new Lease(this);
  }

  /** A slot for a new poll, in turn behind every waiting retry; null when `signal` aborted first. */
  async lease(signal?: AbortSignal): Promise<Lease | null> {
    if (signal?.aborted) return null;
    const ready = this.tryLease();
    if (ready !== null) return ready;
    return (await this.#take(this.#fresh, signal)) ? new Lease(this) : null;
  }

  /** @internal Lease.retake. */
  takeForRetry(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#free > 0 && this.#retries.length === 0) {
      this.#free--;
      return Promise.resolve(true);
    }
    return this.#take(this.#retries, signal);
  }

  /** @internal Lease.release: the slot passes straight to the next waiter, if any. */
  give(): void {
    const next = this.#retries.shift() ?? this.#fresh.shift();
    if (next !== undefined) next.grant();
    else this.#free++;
  }

  #take(queue: Waiter[], signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        resolve(false);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }
}

interface Waiter {
  readonly grant: () => void;
}

/** One poll's slot; it starts held. Releasing twice, or retaking while held, does nothing. */
export class Lease implements Slot {
  #held = true;
  readonly #pool: SlotPool;

  constructor(pool: SlotPool) {
    this.#pool = pool;
  }

  get held(): boolean {
    return this.#held;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#pool.give();
  }

  async retake(signal?: AbortSignal): Promise<boolean> {
    if (this.#held) return true;
    const ok = await this.#pool.takeForRetry(signal);
    if (ok) this.#held = true;
    return ok;
  }
}
