import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createAccountClient } from '../clouddc/client.js';
import { authenticatorFor } from '../clouddc/auth/index.js';
import type { ExporterConfig } from '../domain/config.js';
import { createApp } from '../http/app.js';
import { createSelfMetrics, type SelfMetrics } from '../metrics/self-metrics.js';
import { USER_AGENT, VERSION } from '../version.js';
import { Exporter, type SourceFactory } from './exporter.js';

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
}

export interface Running {
  readonly exporter: Exporter;
  readonly metrics: SelfMetrics;
  readonly server: Server;
  /** http://host:port of the listening socket. */
  readonly url: string;
  /** Stops polling (in-flight polls get `graceMs`), then the HTTP server. */
  stop(graceMs?: number): Promise<void>;
}

/** Wires config → clients → exporter → HTTP server and starts them. */
export async function startExporter(opts: StartOptions): Promise<Running> {
  const { config, logger } = opts;
  const metrics = createSelfMetrics({
    version: VERSION,
    defaultMetrics: opts.defaultMetrics,
    requestTimeoutSeconds: config.poll.timeoutMs / 1000,
  });
  const makeSource: SourceFactory =
    opts.makeSource ??
    ((account, poll) =>
      createAccountClient({
        account,
        poll,
        userAgent: USER_AGENT,
        authenticator: authenticatorFor(account, { logger }),
        observer: metrics.api,
        logger: logger.child({ account: account.name }),
        now: opts.now,
        durationClock: opts.durationClock,
      }));
  const exporter = new Exporter({ config, logger, metrics, makeSource, now: opts.now });
  const app = createApp({
    logger,
    view: {
      version: VERSION,
      ready: () => exporter.ready,
      metricsText: () => exporter.metricsText(),
      states: () => exporter.store.states(),
    },
  });
  const server = app.listen(opts.listen.port, opts.listen.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Slow or stalled scrapers must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  exporter.start();

  return {
    exporter,
    metrics,
    server,
    url: `http://${host}:${address.port}`,
    async stop(graceMs = 4000) {
      await exporter.stop(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
    },
  };
}
