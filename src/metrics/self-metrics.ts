import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { ApiObserver, AuthObserver } from '../clouddc/observer.js';
import { FilteredRegistry } from './filtered-registry.js';
import { registerDefaultMetrics } from './default-metrics.js';
import { scrapeMetrics, type ScrapeMetrics } from './scrape-metrics.js';
import { autoCollectMetrics, type AutoCollectMetrics } from './auto-collect-metrics.js';

/**
 * The exporter's own metrics, on a private prom-client registry (no global state). Per-export
 * families are not here: the export store renders those and the exposition appends them.
 */
export interface SelfMetrics {
  readonly registry: Registry;
  readonly api: ApiObserver;
  readonly auth: AuthObserver;
  readonly trackedExports: Gauge;
  readonly cycleDuration: Gauge;
  readonly cyclesTotal: Counter;
  readonly cyclesSkipped: Counter;
  readonly cycleMinDuration: Gauge<'account'>;
  readonly lastCycleTimestamp: Gauge;
  readonly reloadSuccessful: Gauge;
  readonly reloadSuccessTimestamp: Gauge;
  readonly shardIndex: Gauge;
  readonly shardTotal: Gauge;
  readonly pollInterval: Gauge;
  /** Versions of re-read files refused, by `file`: a secret's config key, or tls_server_config for the web TLS files. */
  readonly fileReloadFailures: Counter<'file'>;
  /** Scrapes refused by --web.max-requests and cut off by --web.write-idle-timeout. */
  readonly scrapes: ScrapeMetrics;
  /** `auto_collect`: decisions and downloads. */
  readonly autoCollect: AutoCollectMetrics;
  /** Drops every series of an account that a reload removed, so it does not linger as stale data. */
  forgetAccount(account: string): Promise<void>;
  /** The account's pause after a refused AK/SK signature, while it lasts (for the status page). */
  pauseOf(account: string): { readonly untilMs: number; readonly reason: string } | undefined;
}

export interface SelfMetricsOptions {
  version: string;
  /** Source revision (commit) the build came from; "unknown" when the build did not record one. */
  revision?: string;
  nodeVersion?: string;
  /** Default process_/nodejs_ metrics; off in golden-file tests, where they would vary. */
  defaultMetrics?: boolean;
  /** Upper histogram buckets follow the request timeout. */
  requestTimeoutSeconds?: number;
  /** Wall clock in ms; decides at scrape time whether a pause is still running. */
  now?: () => number;
  /** --metric-allowlist / --metric-denylist: families left out are never registered, so never collected. */
  includeFamily?: (family: string) => boolean;
}

const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createSelfMetrics(opts: SelfMetricsOptions): SelfMetrics {
  const registry = opts.includeFamily === undefined ? new Registry() : new FilteredRegistry(opts.includeFamily);
  if (opts.defaultMetrics ?? true) registerDefaultMetrics(registry);

  const buildInfo = new Gauge({
    name: 'clouddc_exporter_build_info',
    help: 'Build information of the exporter; always 1.',
    labelNames: ['version', 'revision', 'nodejs_version'] as const,
    registers: [registry],
  });
  buildInfo.set({ version: opts.version, revision: opts.revision ?? 'unknown', nodejs_version: opts.nodeVersion ?? process.version }, 1);

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
  const rateLimit = new Gauge({
    name: 'clouddc_api_rate_limit',
    help: 'Requests per second the account may currently send: the configured rate_limit, lowered after 429 answers and recovering while answers are good.',
    labelNames: ['account'] as const,
    registers: [registry],
  });
  const throttleWait = new Counter({
    name: 'clouddc_api_throttle_wait_seconds_total',
    help: "Time requests spent waiting for the account's rate limit (token bucket and account-wide pauses after 429), summed over requests.",
    labelNames: ['account'] as const,
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
    onRateLimit(account, requestsPerSecond) {
      rateLimit.set({ account }, requestsPerSecond);
    },
    onThrottleWait(account, seconds) {
      throttleWait.inc({ account }, seconds);
    },
  };

  // No path in the label: it would be unbounded, and a secret's path may say more than it should.
  const fileReloadFailures = new Counter<'file'>({
    name: 'clouddc_exporter_file_reload_failures_total',
    help: 'Versions of files re-read while running (secret files, the web TLS files) that were refused: too large, not a regular file, unreadable or invalid. Each version counts once.',
    labelNames: ['file'] as const,
    registers: [registry],
  });
  const { observer: auth, forget: forgetPaused, pauseOf } = authMetrics(registry, opts.now ?? Date.now, fileReloadFailures);
  return {
    registry,
    api,
    auth,
    fileReloadFailures,
    scrapes: scrapeMetrics(registry),
    autoCollect: autoCollectMetrics(registry),
    pauseOf,
    async forgetAccount(account) {
      forgetPaused(account);
      for (const metric of registry.getMetricsAsArray() as unknown as Metric[]) {
        const data = await metric.get();
        for (const v of data.values) {
          if (v.labels.account !== account) continue;
          // Histograms report _bucket/_sum/_count samples; removing by the account label set drops them all.
          const { le: _le, ...labels } = v.labels as Record<string, string | number>;
          (metric as unknown as { remove(l: Record<string, string | number>): void }).remove(labels);
        }
      }
    },
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
      help: 'Schedule ticks that found the previous poll cycle still running; the latest of them starts its cycle as soon as that one ends.',
      registers: [registry],
    }),
    cycleMinDuration: new Gauge({
      name: 'clouddc_exporter_poll_cycle_min_duration_seconds',
      help: "Shortest possible poll cycle for the account's exports at its rate_limit (this shard's share): exports divided by requests per second. Above the schedule's interval, the schedule cannot be met.",
      labelNames: ['account'] as const,
      registers: [registry],
    }),
    lastCycleTimestamp: new Gauge({
      name: 'clouddc_exporter_last_poll_cycle_timestamp_seconds',
      help: 'Unix time when the last poll cycle finished.',
      registers: [registry],
    }),
    reloadSuccessful: new Gauge({
      name: 'clouddc_exporter_config_last_reload_successful',
      help: '1 if the last configuration load or reload succeeded, 0 if it was refused.',
      registers: [registry],
    }),
    reloadSuccessTimestamp: new Gauge({
      name: 'clouddc_exporter_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful configuration load or reload.',
      registers: [registry],
    }),
    shardIndex: new Gauge({
      name: 'clouddc_exporter_shard_ordinal',
      help: 'Shard this replica polls (0-based); 0 when not sharded.',
      registers: [registry],
    }),
    // Named as kube-state-metrics names its own (`kube_state_metrics_total_shards`): a gauge must not end in _total.
    shardTotal: new Gauge({
      name: 'clouddc_exporter_total_shards',
      help: 'Number of shards the exports are divided into; 1 when not sharded.',
      registers: [registry],
    }),
    pollInterval: new Gauge({
      name: 'clouddc_exporter_poll_interval_seconds',
      help: 'Longest gap between two runs of poll.schedule; staleness alerts compare against a multiple of it.',
      registers: [registry],
    }),
  };
}

function authMetrics(
  registry: Registry,
  now: () => number,
  fileReloadFailures: Counter<'file'>,
): { observer: AuthObserver; forget: (account: string) => void; pauseOf: SelfMetrics['pauseOf'] } {
  const expiry = new Gauge({
    name: 'clouddc_iam_token_expiry_timestamp_seconds',
    help: 'Unix time when the IAM token in use expires, as IAM reported it (password authentication only).',
    labelNames: ['account'] as const,
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'clouddc_iam_token_refreshes_total',
    help: 'IAM token requests by account and result (success/failure); one renewal shared by many polls counts once.',
    labelNames: ['account', 'result'] as const,
    registers: [registry],
  });
  const credentialExpiry = new Gauge({
    name: 'clouddc_credential_expiry_timestamp_seconds',
    help: 'Unix time when the temporary AK/SK in use expire, as their source reported it (metadata, pod_identity and oidc authentication only).',
    labelNames: ['account'] as const,
    registers: [registry],
  });
  const renewals = new Counter({
    name: 'clouddc_credential_renewals_total',
    help: 'Requests for temporary AK/SK + security token (metadata service, pod identity, IAM federation) by account and result (success/failure); one renewal shared by many polls counts once.',
    labelNames: ['account', 'result'] as const,
    registers: [registry],
  });
  // Whether a pause is over depends on the time of the scrape, not on the next poll.
  const pausedUntil = new Map<string, number>();
  const pauseReasons = new Map<string, string>();
  new Gauge({
    name: 'clouddc_api_account_paused',
    help: 'Whether requests for the account are paused (1) after CloudDC refused its AK/SK signature, to avoid the access key lock-out.',
    labelNames: ['account'] as const,
    registers: [registry],
    collect() {
      const t = now();
      for (const [account, until] of pausedUntil) this.set({ account }, t < until ? 1 : 0);
    },
  });

  const observer: AuthObserver = {
    onAccount(account, reports) {
      pausedUntil.set(account, 0);
      if (reports.iamTokens) {
        refreshes.inc({ account, result: 'success' }, 0);
        refreshes.inc({ account, result: 'failure' }, 0);
      }
      if (reports.temporaryKeys) {
        renewals.inc({ account, result: 'success' }, 0);
        renewals.inc({ account, result: 'failure' }, 0);
      }
    },
    onCredentialsIssued(account, expiresAtMs) {
      credentialExpiry.set({ account }, expiresAtMs / 1000);
    },
    onCredentialRenewal(account, result) {
      renewals.inc({ account, result });
    },
    onTokenIssued(account, expiresAtMs) {
      expiry.set({ account }, expiresAtMs / 1000);
    },
    onTokenRefresh(account, result) {
      refreshes.inc({ account, result });
    },
    onPause(account, untilMs, reason) {
      pausedUntil.set(account, untilMs);
      pauseReasons.set(account, reason ?? 'CloudDC refused the AK/SK signature');
    },
    onSecretFile(file) {
      fileReloadFailures.inc({ file }, 0);
    },
    onSecretFileRefused(file) {
      fileReloadFailures.inc({ file });
    },
  };
  const pauseOf = (account: string): { untilMs: number; reason: string } | undefined => {
    const untilMs = pausedUntil.get(account) ?? 0;
    return now() < untilMs ? { untilMs, reason: pauseReasons.get(account) ?? '' } : undefined;
  };
  return {
    observer,
    forget: (account: string) => {
      pausedUntil.delete(account);
      pauseReasons.delete(account);
    },
    pauseOf,
  };
}
