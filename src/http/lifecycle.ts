import type Router from '@koa/router';
import type { ExporterView } from './view.js';

/** POST /-/reload, as Prometheus and blackbox_exporter offer it. */
export function lifecycleRoutes(router: Router, view: ExporterView): void {
  router.post('/-/reload', async (ctx) => {
    ctx.type = 'text/plain';
    if (!view.reload) {
      ctx.status = 400;
      ctx.body = 'Nothing to reload: the exporter was not started from a config file.\n';
      return;
    }
    const outcome = await view.reload('POST /-/reload');
    if (outcome.ok) {
      ctx.body = 'Reloaded.\n';
    } else {
      ctx.status = 500;
      ctx.body = `Reload refused; the previous configuration keeps running:\n${outcome.problems.join('\n')}\n`;
    }
  });
}
