import type { ProgressBehaviour } from './types.js';

export interface ProgressState {
  readonly phase: 'processing' | 'completed' | 'failed';
  /** 0–100, unrounded. */
  readonly percent: number;
}

/** Where a scripted export stands at `now`; a failure or stall point reached first wins over the other. */
export function progressAt(b: ProgressBehaviour, startedAt: number, now: number): ProgressState {
  const elapsed = Math.max(0, now - startedAt);
  const raw = b.durationMs <= 0 ? 100 : Math.min(100, (elapsed * 100) / b.durationMs);
  const fail = b.failAtPercent;
  const stall = b.stallAtPercent;
  if (fail !== undefined && raw >= fail && (stall === undefined || fail <= stall)) {
    return { phase: 'failed', percent: fail };
  }
  if (stall !== undefined && raw >= stall) return { phase: 'processing', percent: stall };
  if (raw >= 100) return { phase: 'completed', percent: 100 };
  return { phase: 'processing', percent: raw };
}

export function formatPercent(percent: number, shape: ProgressBehaviour['percentShape']): number | string {
  // Flooring keeps 100 for real completion (99.9% must not read as done); the epsilon stops 29.999999999999996
  // from binary floating point turning into 29.
  const whole = Math.floor(percent + 1e-9);
  switch (shape) {
    case 'string':
      return String(whole);
    case 'percent':
      return `${whole}%`;
    case 'float-string':
      return (Math.floor(percent * 10 + 1e-9) / 10).toFixed(1);
    case 'number':
    case undefined:
      return whole;
  }
}

export function formatCreatedAt(ms: number, style: ProgressBehaviour['createdAtStyle']): string {
  const seconds = new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
  return style === 'offset' ? `${seconds}+00:00` : `${seconds}Z`;
}

export function progressBody(b: ProgressBehaviour, exportId: string, startedAt: number, now: number): Record<string, unknown> {
  const state = progressAt(b, startedAt, now);
  const spelling = b.spelling ?? {};
  const status =
    state.phase === 'completed'
      ? (spelling.completed ?? 'completed')
      : state.phase === 'failed'
        ? (spelling.failed ?? 'failed')
        : (spelling.processing ?? 'processing');
  return {
    export_id: exportId,
    status,
    percentage: formatPercent(state.percent, b.percentShape),
    created_at: formatCreatedAt(startedAt, b.createdAtStyle),
  };
}
