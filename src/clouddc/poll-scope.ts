import type { AbortHook } from './transport.js';

/**
 * "Stop now" for one poll: the caller's signal or close(). A plain object rather than an AbortController: one
 * AbortController per poll, listened to by each attempt, cost about a quarter more CPU per poll in bench figure 2
 * (docs/performance.md#the-api-clients-special-cases). The AbortSignal for waits (backoff, rate limit) is made only
 * when such a wait happens. The attempt in flight listens through sendOnce's AbortHook.
 */
export class PollScope implements AbortHook {
  aborted = false;
  #listener: (() => void) | undefined;
  #controller: AbortController | undefined;

  setAbortListener(listener: (() => void) | undefined): void {
    this.#listener = listener;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#controller?.abort();
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}
