import { defaultErrorBody, givenBody, JSON_TYPE, type BodySpec } from './bodies.js';
import { progressBody } from './progress.js';
import type { Behaviour, ExportKey } from './types.js';

/** Everything a behaviour may depend on; keeping it explicit makes `reply` pure and testable without sockets. */
export interface ReplyContext {
  readonly key: ExportKey;
  /** 0-based index of this request among those that reached this export since its behaviour was set. */
  readonly index: number;
  readonly now: number;
  /** When the behaviour was set: the default start of scripted progress. */
  readonly addedAt: number;
  readonly requestId: string;
}

export type Reply =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly body: BodySpec;
      readonly retryAfter?: string;
      readonly delayMs: number;
    }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset'; readonly delayMs: number };

export function reply(b: Behaviour, ctx: ReplyContext): Reply {
  switch (b.kind) {
    case 'progress':
      return ok(progressBody(b, ctx.key.exportId, b.startedAt ?? ctx.addedAt, ctx.now));
    case 'fixed':
      return ok(b.body);
    case 'malformed':
      return { kind: 'answer', status: 200, body: { contentType: b.contentType ?? JSON_TYPE, text: b.body }, delayMs: 0 };
    case 'error': {
      const body = b.body === undefined ? defaultErrorBody(b.status, ctx.key.serverId, ctx.requestId) : givenBody(b.body);
      const withType = b.contentType === undefined ? body : { ...body, contentType: b.contentType };
      return b.retryAfter === undefined
        ? { kind: 'answer', status: b.status, body: withType, delayMs: 0 }
        : { kind: 'answer', status: b.status, body: withType, retryAfter: b.retryAfter, delayMs: 0 };
    }
    case 'slow': {
      const inner = reply(b.then, ctx);
      return inner.kind === 'hang' ? inner : { ...inner, delayMs: inner.delayMs + b.delayMs };
    }
    case 'sequence':
      return sequenceReply(b.steps, b.then, ctx);
    case 'hang':
      return { kind: 'hang' };
    case 'reset':
      return { kind: 'reset', delayMs: 0 };
  }
}

function ok(body: Record<string, unknown>): Reply {
  return { kind: 'answer', status: 200, body: { contentType: JSON_TYPE, text: JSON.stringify(body) }, delayMs: 0 };
}

/** Nested behaviours see the index relative to their own step, so a sequence inside a sequence counts from 0. */
function sequenceReply(steps: Extract<Behaviour, { kind: 'sequence' }>['steps'], then: Behaviour | undefined, ctx: ReplyContext): Reply {
  const cycle = steps.reduce((sum, s) => sum + s.times, 0);
  let index = ctx.index;
  if (then === undefined) index %= cycle;
  for (const step of steps) {
    if (index < step.times) return reply(step.behaviour, { ...ctx, index });
    index -= step.times;
  }
  // Unreachable without `then`: the modulo keeps the index inside the cycle.
  return reply(then ?? { kind: 'hang' }, { ...ctx, index });
}

/** Throws on scripts that could never answer sensibly, at the moment they are set rather than mid-test. */
export function validateBehaviour(b: Behaviour, where = 'behaviour'): void {
  const fail = (msg: string): never => {
    throw new RangeError(`${where}: ${msg}`);
  };
  switch (b.kind) {
    case 'progress': {
      if (!Number.isFinite(b.durationMs) || b.durationMs < 0) fail('durationMs must be a finite number >= 0');
      for (const [name, v] of [
        ['stallAtPercent', b.stallAtPercent],
        ['failAtPercent', b.failAtPercent],
      ] as const) {
        if (v !== undefined && !(v >= 0 && v <= 100)) fail(`${name} must be within 0-100`);
      }
      return;
    }
    case 'error':
      if (!Number.isInteger(b.status) || b.status < 100 || b.status > 599) fail('status must be an HTTP status code');
      return;
    case 'slow':
      if (!Number.isFinite(b.delayMs) || b.delayMs < 0) fail('delayMs must be a finite number >= 0');
      validateBehaviour(b.then, `${where}.then`);
      return;
    case 'sequence': {
      b.steps.forEach((s, i) => {
        if (!Number.isInteger(s.times) || s.times < 0) fail(`steps[${i}].times must be an integer >= 0`);
        validateBehaviour(s.behaviour, `${where}.steps[${i}]`);
      });
      if (b.then !== undefined) validateBehaviour(b.then, `${where}.then`);
      else if (!b.steps.some((s) => s.times > 0)) fail('a repeating sequence needs a step with times > 0');
      return;
    }
    case 'fixed':
    case 'malformed':
    case 'hang':
    case 'reset':
      return;
  }
}

/** The `status` ShowLogsExportStatus would answer in `ctx`, if it answers a document with one; reply() is pure. */
export function statusNow(b: Behaviour, ctx: ReplyContext): string | undefined {
  const r = reply(b, ctx);
  if (r.kind !== 'answer' || r.status !== 200) return undefined;
  try {
    const status = (JSON.parse(r.body.text) as { status?: unknown }).status;
    return typeof status === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}
