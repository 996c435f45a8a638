import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createAccountClient } from '../clouddc/client.js';
import { createLogApi } from '../clouddc/log-api.js';
import type { ExporterConfig } from '../domain/config.js';
import { createApp } from '../http/app.js';
import { createSelfMetrics, type SelfMetrics } from '../metrics/self-metrics.js';
import { REVISION, USER_AGENT, VERSION } from '../version.js';
import { reportCapacity } from './capacity-report.js';
import { Exporter, type SourceFactory } from './exporter.js';
import { createPersistence } from '../store/persistence.js';
import { protectedFiles } from './protected-files.js';
import { resolveStoragePath } from '../store/storage-path.js';
import { configFingerprint, createReloader, type Reloader, type ReloaderDeps } from './reloader.js';
import { listenProblem } from './listen-problem.js';
import { sharedAuthenticators, type AuthenticatorOf } from './account-auth.js';
import { autoCollectShareProblem, ownsServer, shardConfig, type Shard } from '../poller/shard.js';
import type { FamilyFilter } from '../domain/family-filter.js';
import { loadConfigFile } from '../config/load.js';
import type { WebConfig } from '../web/config.js';
import type { ExportFileSet } from '../config/export-files.js';
import { exportFileMetrics } from '../metrics/export-file-metrics.js';
import { DEFAULT_SCRAPE_LIMITS } from '../http/metrics.js';
import { webMiddleware } from '../web/middleware.js';
import { createWebServer } from '../web/server.js';

export interface StartOptions {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  readonly listen: { readonly host?: string; readonly port: number };
  readonly now?: () => number;
  /** Off in golden-file tests. */
  readonly defaultMetrics?: boolean;
  /** Monotonic ms for request durations (tests freeze it for golden files). */
  readonly durationClock?: () => number;
  /** Replaces the real API clients (tests). */
  readonly makeSource?: SourceFactory;
  /** This replica's shard; exports and rate limits are divided accordingly. */
  readonly shard?: Shard;
  /** `--storage.path`: facts survive restarts. */
  readonly storagePath?: string;
  /** The file the config came from; enables reloads (SIGHUP, POST /-/reload, file changes). */
  readonly configFile?: string;
  /** How often to look for a changed config file; 0 or unset: never. */
  readonly autoReloadIntervalMs?: number;
  /** Environment for `${VAR}` on reload. */
  readonly env?: NodeJS.ProcessEnv;
  /** `--web.enable-lifecycle`: serve POST /-/reload. */
  readonly enableLifecycle?: boolean;
  /** `--web.config.file`, already validated: TLS, basic auth, response headers. */
  readonly web?: WebConfig;
  /** The status page's and the JSON API's stuck threshold; default 30 minutes (the demo passes its own). */
  readonly stuckAfterSeconds?: number;
  /** `--web.telemetry-path`; default /metrics. */
  readonly metricsPath?: string;
  /** `--web.max-requests`: scrapes served at once (0: no limit); default 10. */
  readonly maxRequests?: number;
  /** `--web.write-idle-timeout` in ms (0: none); default 10 s. */
  readonly writeIdleTimeoutMs?: number;
  /** `export_files`, already loaded once into `config`; reloaded with the config and whenever a file changes. */
  readonly exportFiles?: ExportFileSet;
  /** `--metric-allowlist` / `--metric-denylist`. */
  readonly familyFilter?: FamilyFilter;
}

export interface Running {
  readonly exporter: Exporter;
  readonly metrics: SelfMetrics;
  readonly server: Server;
  /** http://host:port (https:// with a web config's TLS) of the listening socket. */
  readonly url: string;
  /** Present when started from a config file. */
  readonly reloader?: Reloader;
  /** Stops polling (in-flight polls get `graceMs`), then the HTTP server. */
  stop(graceMs?: number): Promise<void>;
}

/** The real API clients, one per account (also used by the one-shot modes in src/cli/one-shot-run.ts). */
export function apiSourceFactory(
  opts: Pick<StartOptions, 'logger' | 'now' | 'durationClock'>,
  metrics: SelfMetrics,
  authenticatorOf: AuthenticatorOf = sharedAuthenticators({ logger: opts.logger, observer: metrics.auth, ...(opts.now && { now: opts.now }) }),
): SourceFactory {
  const { logger } = opts;
  return (account, poll) => {
    // Which source an account signs in with, never a secret: the first thing to check when its polls fail with 401.
    logger.info(
      { account: account.name, method: account.auth.kind, source: account.auth.source },
      `account ${account.name} signs in with ${account.auth.source}`,
    );
    return createAccountClient({
      account,
      poll,
      userAgent: USER_AGENT,
      authenticator: authenticatorOf(account, poll.timeoutMs),
      observer: metrics.api,
      logger: logger.child({ account: account.name }),
      now: opts.now,
      durationClock: opts.durationClock,
    });
  };
}

/** A refusal to start that main.ts prints as it is and exits 1 on. */
export class StartupError extends Error {
  /** The flag that changes what was refused, when there is one. */
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(message);
  }
}

/** Wires config → clients → exporter → HTTP server and starts them. */
export async function startExporter(opts: StartOptions): Promise<Running> {
  const { logger } = opts;
  const shard = opts.shard ?? { index: 0, total: 1 };
  const config = shardConfig(opts.config, shard);
  const shareProblem = autoCollectShareProblem(opts.config, shard);
  if (shareProblem !== undefined) logger.warn(shareProblem);
  const metrics = createSelfMetrics({
    version: VERSION,
    revision: REVISION,
    defaultMetrics: opts.defaultMetrics,
    requestTimeoutSeconds: config.poll.timeoutMs / 1000,
    ...(opts.now && { now: opts.now }),
    ...(opts.familyFilter && { includeFamily: opts.familyFilter.includes }),
  });
  const authenticatorOf = sharedAuthenticators({ logger, observer: metrics.auth, ...(opts.now && { now: opts.now }) });
  const makeSource: SourceFactory = opts.makeSource ?? apiSourceFactory(opts, metrics, authenticatorOf);
  metrics.shardIndex.set(shard.index);
  metrics.shardTotal.set(shard.total);
  let persistence: ReturnType<typeof createPersistence> | undefined;
  if (opts.storagePath) {
    const resolved = await resolveStoragePath(opts.storagePath, protectedFiles(opts.config, opts.configFile, opts.web));
    if (!resolved.ok) throw new StartupError(resolved.problems.join('\n'));
    persistence = createPersistence(resolved.value, logger, {
      snapshot: () => exporter.collector.snapshot(),
      restore: (raw) => exporter.restoreAutoCollect(raw),
    });
  } else if (config.autoCollect !== undefined && !config.autoCollect.dryRun) {
    throw new StartupError('auto_collect starts exports: it needs --storage.path, so that a restart neither repeats nor forgets one', '--storage.path');
  }
  const now = opts.now ?? Date.now;
  const exporter: Exporter = new Exporter({
    config,
    logger,
    metrics,
    makeSource,
    now: opts.now,
    afterCycle: persistence ? (states) => persistence.save(states) : undefined,
    ...(persistence && { persistNow: (): Promise<boolean> => persistence.save(exporter.store.states()) }),
    makeStarter: (account, poll) =>
      createLogApi({
        account,
        poll,
        authenticator: authenticatorOf(account, poll.timeoutMs),
        userAgent: USER_AGENT,
        logger: logger.child({ account: account.name }),
      }),
    ownsServer: (projectId, serverId) => ownsServer(shard, projectId, serverId),
    ...(opts.familyFilter && { includeFamily: opts.familyFilter.includes }),
    ...(opts.durationClock && { durationClock: opts.durationClock }),
  });
  await persistence?.restore(exporter.store);
  let capacityWarnings = reportCapacity(config, shard, metrics, logger);
  metrics.reloadSuccessful.set(1);
  metrics.reloadSuccessTimestamp.set(now() / 1000);
  const files = opts.exportFiles;
  const updateFileMetrics = exportFileMetrics(metrics.registry);
  if (files && opts.config.exportFiles) updateFileMetrics(files.status);
  let patterns = opts.config.exportFiles ?? [];
  let filesSeen = patterns.length > 0;
  const reloaderDeps: ReloaderDeps | undefined = opts.configFile
    ? {
        path: opts.configFile,
        load: async (path) => {
          const loaded = await loadConfigFile(path, opts.env ?? process.env);
          if (!loaded.ok || files === undefined) return loaded;
          patterns = loaded.value.exportFiles ?? [];
          const merged = await files.load(loaded.value);
          if (merged.newProblems.length > 0) {
            logger.error({ problems: merged.newProblems }, `export file(s) failed to load; keeping their last good content:\n${merged.newProblems.join('\n')}`);
          }
          // Once registered, the gauges follow every load, so files dropped from export_files lose their series.
          if (patterns.length > 0 || filesSeen) updateFileMetrics(merged.files);
          filesSeen ||= patterns.length > 0;
          return { ok: true, value: merged.config };
        },
        ...(files && { extraDigest: () => files.fingerprint(patterns) }),
        transform: (c) => shardConfig(c, shard),
        apply: async (c) => {
          const result = await exporter.applyConfig(c);
          capacityWarnings = reportCapacity(c, shard, metrics, logger);
          return result;
        },
        onOutcome: (ok) => {
          metrics.reloadSuccessful.set(ok ? 1 : 0);
          if (ok) metrics.reloadSuccessTimestamp.set(now() / 1000);
        },
        logger,
      }
    : undefined;
  // The same fingerprint the change checks compute, export files included: a first check must find no change.
  const reloader = reloaderDeps && createReloader(reloaderDeps, await configFingerprint(reloaderDeps));
  const app = createApp({
    logger,
    view: {
      version: VERSION,
      ready: () => exporter.ready,
      now,
      scrape: (opts) => exporter.scrape(opts),
      states: () => exporter.store.states(),
      accounts: () =>
        [...exporter.config.accounts.values()].map(({ name, auth }) => {
          const pause = metrics.pauseOf(name);
          return { name, source: auth.source, paused: pause ? { until: new Date(pause.untilMs).toISOString(), reason: pause.reason } : null };
        }),
      ...(opts.stuckAfterSeconds !== undefined && { stuckAfterSeconds: opts.stuckAfterSeconds }),
      fleets: () => exporter.fleet.fleets(),
      autoCollect: () => exporter.collector.view(),
      warnings: () => capacityWarnings,
      ...(files && { exportFiles: () => (patterns.length > 0 ? files.status : []) }),
      reload: reloader ? (trigger) => reloader.reload(trigger) : undefined,
      lifecycleEnabled: opts.enableLifecycle === true,
    },
    ...(opts.web && { before: webMiddleware(opts.web, logger) }),
    ...(opts.metricsPath && { metricsPath: opts.metricsPath }),
    scrapeLimits: {
      maxInFlight: opts.maxRequests ?? DEFAULT_SCRAPE_LIMITS.maxInFlight,
      writeIdleTimeoutMs: opts.writeIdleTimeoutMs ?? DEFAULT_SCRAPE_LIMITS.writeIdleTimeoutMs,
      ...metrics.scrapes,
    },
  });
  if (opts.web?.tls) metrics.fileReloadFailures.inc({ file: 'tls_server_config' }, 0);
  const tlsRefused = (): void => metrics.fileReloadFailures.inc({ file: 'tls_server_config' });
  // Koa's callback settles every request's promise itself (its errors go to app.on('error')).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  const { server, scheme } = createWebServer(app.callback(), opts.web, logger, tlsRefused);
  server.listen(opts.listen.port, opts.listen.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    // Nothing has started yet (no schedule, no watcher): closing the clients is all there is to undo.
    await exporter.stop(0);
    throw new StartupError(listenProblem(opts.listen, err), '--web.listen-address');
  }
  // Slow or stalled scrapers must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  exporter.start();
  const watch = reloader && opts.autoReloadIntervalMs ? setInterval(() => void reloader.checkForChange(), opts.autoReloadIntervalMs).unref() : undefined;

  return {
    exporter,
    metrics,
    server,
    url: `${scheme}://${host}:${address.port}`,
    reloader,
    async stop(graceMs = 4000) {
      clearInterval(watch);
      await exporter.stop(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
    },
  };
}
