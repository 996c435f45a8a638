import type Router from '@koa/router';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { ExporterView } from './view.js';

const gzip = promisify(gzipCb);

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoute(router: Router, view: ExporterView): void {
  router.get('/metrics', async (ctx) => {
    const text = await view.metricsText();
    ctx.type = EXPOSITION_CONTENT_TYPE;
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept-Encoding');
    if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      // Level 1: the exposition is repetitive, so fast compression already gets most of the gain.
      ctx.body = await gzip(text, { level: 1 });
      ctx.set('Content-Encoding', 'gzip');
    } else {
      ctx.body = text;
    }
  });
}
