import type Router from '@koa/router';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { ExporterView } from './view.js';

const gzip = promisify(gzipCb);

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoute(router: Router, view: ExporterView): void {
  router.get('/metrics', async (ctx) => {
    const chunks = await view.metricsChunks();
    ctx.type = EXPOSITION_CONTENT_TYPE;
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept-Encoding');
    if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      // Level 1: the exposition is repetitive, so fast compression already gets most of the gain.
      ctx.body = await gzip(Buffer.concat(chunks), { level: 1 });
      ctx.set('Content-Encoding', 'gzip');
      return;
    }
    // The pre-rendered chunks go to the socket as they are: joining them first would copy ~26 MB
    // per scrape at 10,000 exports. Koa has no multi-buffer body, so this one response is written
    // by hand; the headers set above (and by earlier middleware) are already on `res`.
    let length = 0;
    for (const c of chunks) length += c.length;
    const res = ctx.res;
    ctx.respond = false;
    res.statusCode = 200;
    res.setHeader('Content-Length', length);
    if (ctx.method === 'HEAD') {
      res.end();
      return;
    }
    res.cork();
    for (const c of chunks) res.write(c);
    res.end();
  });
}
