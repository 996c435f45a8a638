import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A value that must never be printed. Every way JavaScript turns an object into text yields
 * "<secret>"; the only way to the value is an explicit `reveal()`, which is easy to grep for.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
