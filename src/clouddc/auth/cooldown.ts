import type { Logger } from 'pino';
import type { AuthObserver } from '../observer.js';
import { AuthenticationError } from '../authenticator.js';

/**
 * Protects an access key from Huawei's lock-out: 5 failed signature checks in a row lock the key for 5 minutes
 * (docs/clouddc-api.md#errors-and-throttling), for every user of that key, not only this exporter. So:
 * - until a signed request has been accepted, only one is in flight (the probe) and the others wait for its
 *   verdict, so a wrong SK costs one failed check, not one per concurrent poll;
 * - after a 401 the account sends nothing for a pause that outlasts a lock-out; each further refused probe
 *   doubles the pause, so even a strict "in a row" counter on the gateway is reached only after hours.
 */

export const DEFAULT_PAUSE_MS = 5 * 60_000 + 30_000;
/** After a failed credential renewal (IAM token or temporary keys): the first wait, doubling per failure, up to the cap. */
export const RETRY_TRANSIENT_MS = 30_000;
export const RETRY_MAX_MS = 30 * 60_000;
export const DEFAULT_MAX_PAUSE_MS = 60 * 60_000;

export interface CoolDownOptions {
  readonly account: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly observer: AuthObserver;
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
  /** Real-time bound on waiting for a probe that never reports; only a broken client would need it. */
  readonly probeTimeoutMs?: number;
}

/** One admitted request; its verdict goes back through `settle`. */
export interface Pass {
  settle(verdict: 'accepted' | 'refused' | 'none', detail?: string): void;
}

type State = { readonly kind: 'unverified' | 'trusted' } | { readonly kind: 'paused'; readonly until: number };

export class CoolDown {
  #state: State = { kind: 'unverified' };
  /** Bumped on every pause, so late verdicts from requests sent before it are ignored. */
  #generation = 0;
  #probe: { readonly done: Promise<void>; readonly release: () => void } | undefined;
  #refusedInARow = 0;

  constructor(private readonly opts: CoolDownOptions) {}

  get paused(): boolean {
    return this.#state.kind === 'paused' && this.opts.now() < this.#state.until;
  }

  /** Resolves when a request may go out; rejects with AuthenticationError while the account is paused. */
  async admit(): Promise<Pass> {
    for (;;) {
      const state = this.#state;
      if (state.kind === 'paused') {
        const left = state.until - this.opts.now();
        if (left > 0) throw new AuthenticationError(this.#pausedMessage(state.until, left));
        this.#state = { kind: 'unverified' };
        this.opts.logger.info('AK/SK pause over; sending one request to check the key');
        continue;
      }
      if (state.kind === 'trusted') return this.#pass(false);
      if (this.#probe === undefined) return this.#pass(true);
      const timeout = this.opts.probeTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout);
        timer.unref();
      });
      const probe = this.#probe;
      await Promise.race([probe.done, stuck]);
      clearTimeout(timer);
      if (this.#probe === probe) probe.release();
    }
  }

  /** Ends a pause early, e.g. because the secret key file was replaced. */
  resume(why: string): void {
    if (this.#state.kind !== 'paused') return;
    this.#state = { kind: 'unverified' };
    this.#refusedInARow = 0;
    this.opts.observer.onPause(this.opts.account, 0);
    this.opts.logger.info(`AK/SK pause ended early: ${why}`);
  }

  #pass(isProbe: boolean): Pass {
    const generation = this.#generation;
    let release = () => {};
    if (isProbe) {
      const done = new Promise<void>((resolve) => {
        release = () => {
          if (this.#probe?.done === done) this.#probe = undefined;
          resolve();
        };
      });
      this.#probe = { done, release };
    }
    let settled = false;
    return {
      settle: (verdict, detail) => {
        if (settled) return;
        settled = true;
        if (generation === this.#generation) this.#apply(verdict, detail);
        release();
      },
    };
  }

  #apply(verdict: 'accepted' | 'refused' | 'none', detail: string | undefined): void {
    if (verdict === 'none' || this.#state.kind === 'paused') return;
    if (verdict === 'accepted') {
      this.#state = { kind: 'trusted' };
      this.#refusedInARow = 0;
      return;
    }
    const { pauseMs = DEFAULT_PAUSE_MS, maxPauseMs = DEFAULT_MAX_PAUSE_MS } = this.opts;
    const length = backoffMs(pauseMs, maxPauseMs, this.#refusedInARow);
    this.#refusedInARow++;
    this.#generation++;
    const until = this.opts.now() + length;
    this.#state = { kind: 'paused', until };
    const why = detail ?? 'HTTP 401';
    this.opts.observer.onPause(this.opts.account, until, `CloudDC refused the AK/SK signature (${why})`);
    this.opts.logger.warn(
      { pauseSeconds: length / 1000, until: new Date(until).toISOString(), refusedInARow: this.#refusedInARow },
      `CloudDC refused the AK/SK signature (${why}); account paused for ${formatMs(length)}, sending no requests, ` +
        'so that repeated failures cannot lock the access key (5 failed checks in a row lock it for 5 minutes)',
    );
    if (/signature|date/i.test(why)) {
      this.opts.logger.warn(
        'hint: besides a wrong secret key, a host clock that is off by more than 15 minutes makes the gateway ' +
          'refuse signatures (X-Sdk-Date); check that NTP is running',
      );
    }
  }

  #pausedMessage(until: number, left: number): string {
    return `account paused after CloudDC refused its AK/SK signature; no request until ` + `${new Date(until).toISOString()} (${formatMs(left)} left)`;
  }
}

/** The policy of every wait after a refusal: `baseMs`, doubled per refusal in a row before this one, at most `maxMs`. */
export function backoffMs(baseMs: number, maxMs: number, inARow: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(inARow, 20));
}

export function formatMs(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s % 60 > 0 || s === 0 ? `${s % 60}s` : ''];
  return parts.join('');
}
