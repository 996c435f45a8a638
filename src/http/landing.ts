import type Router from '@koa/router';
import { exportsJson } from '../view-model/export-json.js';
import { renderStatusPage, STATUS_PAGE_CSP } from './status-page.js';
import type { ExporterView } from './view.js';

/** `/`: the status page, every tracked export trouble first (see status-page.ts). */
export function landingRoute(router: Router, view: ExporterView, metricsPath = '/metrics'): void {
  router.get('/', (ctx) => {
    const nowSeconds = (view.now?.() ?? Date.now()) / 1000;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', STATUS_PAGE_CSP);
    ctx.body = renderStatusPage(exportsJson(view.states(), nowSeconds, view.stuckAfterSeconds), {
      version: view.version,
      ready: view.ready(),
      nowSeconds,
      metricsPath,
      warnings: view.warnings?.() ?? [],
      exportFiles: view.exportFiles?.() ?? [],
      accounts: view.accounts?.() ?? [],
      fleets: view.fleets?.() ?? [],
      autoCollect: view.autoCollect?.(),
    });
  });
}
