import type { RecordedRequest } from './types.js';

/**
 * Keeps the last `capacity` requests with O(1) pushes: a long benchmark must neither grow memory without
 * bound nor pay for shifting a 10,000-element array on every request.
 */
export class RequestLog<T = RecordedRequest> {
  #current: T[] = [];
  #previous: T[] = [];
  #count = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('maxRecordedRequests must be an integer >= 1');
  }

  get count(): number {
    return this.#count;
  }

  push(r: T): void {
    this.#count++;
    if (this.#current.length >= this.capacity) {
      this.#previous = this.#current;
      this.#current = [];
    }
    this.#current.push(r);
  }

  snapshot(): T[] {
    const fromPrevious = this.capacity - this.#current.length;
    return fromPrevious > 0 ? this.#previous.slice(-fromPrevious).concat(this.#current) : this.#current.slice();
  }

  clear(): void {
    this.#current = [];
    this.#previous = [];
    this.#count = 0;
  }
}
