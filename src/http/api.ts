import type Router from '@koa/router';
import { exportsJson, toExportJson } from '../view-model/export-json.js';
import type { ExporterView } from './view.js';

/**
 * `/api/v1/exports`: the status page's data as JSON (field names documented in docs/http-api.md, stable
 * within v1). Read-only, like every other route.
 */
export function apiRoutes(router: Router, view: ExporterView): void {
  const nowSeconds = () => (view.now?.() ?? Date.now()) / 1000;

  router.get('/api/v1/exports', (ctx) => {
    const now = nowSeconds();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { now: new Date(now * 1000).toISOString(), exports: exportsJson(view.states(), now, view.stuckAfterSeconds) };
  });

  // The router percent-decodes each segment, so ids with "/", spaces or non-ASCII characters work when encoded.
  router.get('/api/v1/exports/:projectId/:serverId/:exportId', (ctx) => {
    const { projectId, serverId, exportId } = ctx.params;
    ctx.set('Cache-Control', 'no-store');
    for (const state of view.states()) {
      const t = state.target;
      if (t.projectId === projectId && t.serverId === serverId && t.exportId === exportId) {
        ctx.body = toExportJson(state, nowSeconds(), view.stuckAfterSeconds);
        return;
      }
    }
    ctx.status = 404;
    ctx.body = { error: 'not found' };
  });
}
