import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { apiRoutes } from './api.js';
import { healthRoutes } from './health.js';
import { landingRoute } from './landing.js';
import { lifecycleRoutes } from './lifecycle.js';
import { metricsRoute, type ScrapeLimits } from './metrics.js';
import type { ExporterView } from './view.js';

export interface AppOptions {
  readonly view: ExporterView;
  readonly logger: Logger;
  /** Runs before every route, e.g. the web config's headers and basic auth (src/web/middleware.ts). */
  readonly before?: readonly Koa.Middleware[];
  /** `--web.telemetry-path` (default /metrics). */
  readonly metricsPath?: string;
  /** The cap on scrapes at once and the write timeout; DEFAULT_SCRAPE_LIMITS when absent. */
  readonly scrapeLimits?: ScrapeLimits;
}

/** Composes the routes. Handlers only read from the exporter; none of them changes state. */
export function createApp({ view, logger, before = [], metricsPath = '/metrics', scrapeLimits }: AppOptions): Koa {
  const app = new Koa();
  // Exact paths only: /METRICS or /metrics/ would slip past a proxy's exact-path rules.
  const router = new Router({ strict: true, sensitive: true });
  metricsRoute(router, view, metricsPath, scrapeLimits);
  healthRoutes(router, view);
  lifecycleRoutes(router, view);
  // As exporter-toolkit does: with the metrics at "/", there is no landing page.
  if (metricsPath !== '/') landingRoute(router, view, metricsPath);
  apiRoutes(router, view);

  app.on('error', (err: unknown) => {
    // Aborted scrapes (client went away) are routine, not errors worth a stack.
    const code = (err as { code?: string }).code;
    if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.error({ err: String(err) }, 'http handler failed');
  });
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  for (const middleware of before) app.use(middleware);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
