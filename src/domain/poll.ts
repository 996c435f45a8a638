import type { Observation } from './export.js';

/** Failure reasons that exist (at zero) on every export from the start. */
export const PREINITIALISED_ERROR_CODES = ['401', '429', '500'] as const;

export interface PollSuccess {
  readonly ok: true;
  readonly observation: Observation;
  readonly requestId?: string;
  /** How many HTTP attempts the poll took, 1 when no retry was needed. */
  readonly attempts: number;
}

export interface PollFailure {
  readonly ok: false;
  /**
   * Used as the `code` label: an HTTP failure's status code as a decimal string ("401", "429", "503", ...), so the
   * set stays bounded by HTTP itself; else one of the closed list timeout, network, invalid_response.
   */
  readonly reason: string;
  /** Human readable, never contains a secret. */
  readonly message: string;
  /** API error code from the body (e.g. "APIGW.0301", "iMetal.0005") when there was one. */
  readonly errorCode?: string;
  readonly requestId?: string;
  readonly attempts: number;
}

export type PollResult = PollSuccess | PollFailure;

/**
 * A poll's place among the requests in flight (`poll.concurrency`). A poll about to wait (a retry's backoff, a
 * Retry-After) gives it back so that another poll can use it, and takes one again when its wait is over.
 */
export interface Slot {
  /** Gives the slot back; a no-op when not held. */
  release(): void;
  /** Takes a slot again, ahead of polls that have not started; false when `signal` aborted first. */
  retake(signal?: AbortSignal): Promise<boolean>;
}
