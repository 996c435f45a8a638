import type { IncomingHttpHeaders } from 'node:http';
import type { SimulatorRateLimit } from './types.js';

/**
 * The API gateway's "policy user over ratelimit": at most N requests in any window of one second, on the
 * simulator clock. A sliding window rather than a bucket, because it is the stricter reading of "limit:N,
 * time:1 second" and a client that passes it passes a fixed-window gateway too. Only answered requests
 * count: a refused one costs the client nothing but the round trip.
 */
export class Throttle {
  readonly #limit: SimulatorRateLimit;
  readonly #windows = new Map<string, number[]>();

  constructor(limit: SimulatorRateLimit) {
    if (!Number.isInteger(limit.requestsPerSecond) || limit.requestsPerSecond < 1) {
      throw new RangeError('rateLimit.requestsPerSecond must be an integer >= 1');
    }
    this.#limit = limit;
  }

  get limit(): SimulatorRateLimit {
    return this.#limit;
  }

  /** True when this request is over the limit; otherwise it is counted. */
  refuse(headers: IncomingHttpHeaders, at: number): boolean {
    const who = this.#limit.per === 'credential' ? credentialOf(headers) : '';
    let window = this.#windows.get(who);
    if (window === undefined) this.#windows.set(who, (window = []));
    let expired = 0;
    while (expired < window.length && window[expired]! <= at - 1000) expired++;
    if (expired > 0) window.splice(0, expired);
    if (window.length >= this.#limit.requestsPerSecond) return true;
    window.push(at);
    return false;
  }
}

/** The user a gateway would throttle: the token, or the access key of a signed request. */
export function credentialOf(headers: IncomingHttpHeaders): string {
  const token = headers['x-auth-token'];
  if (typeof token === 'string' && token !== '') return `token:${token}`;
  const access = /Access=([^,\s]+)/.exec(headers.authorization ?? '')?.[1];
  return access === undefined ? 'anonymous' : `ak:${access}`;
}
