import { describe, expect, it } from 'vitest';
import { reply, type Behaviour, type ReplyContext } from '../../src/simulator/index.js';
import { key, T0 } from './support.js';

const ctx = (index: number, now = T0): ReplyContext => ({ key: key('7'), index, now, addedAt: T0, requestId: 'rid' });

describe('reply (pure)', () => {
  it('adds slow delays up through nesting', () => {
    const b: Behaviour = { kind: 'slow', delayMs: 5, then: { kind: 'slow', delayMs: 7, then: { kind: 'reset' } } };
    expect(reply(b, ctx(0))).toEqual({ kind: 'reset', delayMs: 12 });
  });

  it('keeps a hang a hang whatever wraps it', () => {
    const b: Behaviour = { kind: 'slow', delayMs: 5, then: { kind: 'sequence', steps: [{ times: 1, behaviour: { kind: 'hang' } }] } };
    expect(reply(b, ctx(0))).toEqual({ kind: 'hang' });
  });

  it('computes progress from the context clock only', () => {
    const b: Behaviour = { kind: 'progress', durationMs: 1_000, percentShape: 'float-string' };
    const r = reply(b, ctx(0, T0 + 333));
    expect(r.kind === 'answer' && JSON.parse(r.body.text)).toEqual({
      export_id: '7',
      status: 'processing',
      percentage: '33.3',
      created_at: '2025-03-20T02:48:06Z',
    });
  });

  it('steps through a sequence by index', () => {
    const b: Behaviour = {
      kind: 'sequence',
      steps: [{ times: 2, behaviour: { kind: 'error', status: 503 } }],
      then: { kind: 'error', status: 429, retryAfter: '1' },
    };
    const statuses = [0, 1, 2, 99].map((i) => reply(b, ctx(i))).map((r) => (r.kind === 'answer' ? [r.status, r.retryAfter] : r.kind));
    expect(statuses).toEqual([
      [503, undefined],
      [503, undefined],
      [429, '1'],
      [429, '1'],
    ]);
  });
});
