import type Router from '@koa/router';
import type { ExporterView } from './view.js';

export function healthRoutes(router: Router, view: ExporterView): void {
  router.get('/-/healthy', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = 'Healthy.\n';
  });
  router.get('/-/ready', (ctx) => {
    ctx.type = 'text/plain';
    if (view.ready()) {
      ctx.body = 'Ready.\n';
    } else {
      ctx.status = 503;
      ctx.body = 'Not ready: the first poll cycle has not finished.\n';
    }
  });
}
