import { describe, expect, it } from 'vitest';
import { PollScope } from '../../src/clouddc/poll-scope.js';

describe('PollScope', () => {
  it('calls the attempt listener once on abort, and not after it was removed', () => {
    const scope = new PollScope();
    let calls = 0;
    scope.setAbortListener(() => calls++);
    scope.abort();
    scope.abort();
    expect(calls).toBe(1);
    expect(scope.aborted).toBe(true);

    const other = new PollScope();
    other.setAbortListener(() => calls++);
    other.setAbortListener(undefined);
    other.abort();
    expect(calls).toBe(1);
  });

  it('hands out a signal that follows the scope, aborted at once when made after the abort', () => {
    const early = new PollScope();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort();
    expect(signal.aborted).toBe(true);
    expect(early.signal).toBe(signal);

    const late = new PollScope();
    late.abort();
    expect(late.signal.aborted).toBe(true);
  });
});
