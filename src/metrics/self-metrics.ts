import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiObserver } from '../clouddc/observer.js';

/**
 * The exporter's own metrics, on a private prom-client registry (no global state). Per-export
 * families are not here: the export store renders those and the exposition appends them.
 */
export interface SelfMetrics {
  readonly registry: Registry;
  readonly api: ApiObserver;
  readonly trackedExports: Gauge;
  readonly cycleDuration: Gauge;
  readonly cyclesTotal: Counter;
  readonly cyclesSkipped: Counter;
  readonly lastCycleTimestamp: Gauge;
}

export interface SelfMetricsOptions {
  version: string;
  nodeVersion?: string;
  /** Default process_/nodejs_ metrics; off in golden-file tests, where they would vary. */
  defaultMetrics?: boolean;
  /** Upper histogram buckets follow the request timeout. */
  requestTimeoutSeconds?: number;
}

const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createSelfMetrics(opts: SelfMetricsOptions): SelfMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const buildInfo = new Gauge({
    name: 'clouddc_exporter_build_info',
    help: 'Build information of the exporter; always 1.',
    labelNames: ['version', 'nodejs_version'] as const,
    registers: [registry],
  });
  buildInfo.set({ version: opts.version, nodejs_version: opts.nodeVersion ?? process.version }, 1);

  const requests = new Counter({
    name: 'clouddc_api_requests_total',
    help: 'HTTP requests to the CloudDC API (every attempt, retries included) by account and HTTP status code, or timeout/network.',
    labelNames: ['account', 'code'] as const,
    registers: [registry],
  });
  const timeout = opts.requestTimeoutSeconds;
  const buckets = timeout ? [...DURATION_BUCKETS.filter((b) => b < timeout), timeout] : DURATION_BUCKETS;
  const duration = new Histogram({
    name: 'clouddc_api_request_duration_seconds',
    help: 'Duration of HTTP requests to the CloudDC API, headers and body, by account.',
    labelNames: ['account'] as const,
    buckets,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'clouddc_api_retries_total',
    help: 'Retried CloudDC API requests by account and the reason of the failed attempt.',
    labelNames: ['account', 'reason'] as const,
    registers: [registry],
  });

  const api: ApiObserver = {
    onRequest(account, code, seconds) {
      requests.inc({ account, code });
      duration.observe({ account }, seconds);
    },
    onRetry(account, reason) {
      retries.inc({ account, reason });
    },
  };

  return {
    registry,
    api,
    trackedExports: new Gauge({
      name: 'clouddc_exporter_tracked_exports',
      help: 'Exports in the configuration that this exporter tracks.',
      registers: [registry],
    }),
    cycleDuration: new Gauge({
      name: 'clouddc_exporter_poll_cycle_duration_seconds',
      help: 'Wall time of the last finished poll cycle.',
      registers: [registry],
    }),
    cyclesTotal: new Counter({
      name: 'clouddc_exporter_poll_cycles_total',
      help: 'Poll cycles finished since start.',
      registers: [registry],
    }),
    cyclesSkipped: new Counter({
      name: 'clouddc_exporter_poll_cycles_skipped_total',
      help: 'Schedule ticks skipped because the previous poll cycle was still running.',
      registers: [registry],
    }),
    lastCycleTimestamp: new Gauge({
      name: 'clouddc_exporter_last_poll_cycle_timestamp_seconds',
      help: 'Unix time when the last poll cycle finished.',
      registers: [registry],
    }),
  };
}
