import { finished } from 'node:stream';
import type Router from '@koa/router';
import type { ExporterView } from './view.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `path` is `--web.telemetry-path`, already checked to be a plain path (src/cli/telemetry-path.ts). */
export function metricsRoute(router: Router, view: ExporterView, path = '/metrics'): void {
  router.get(path, async (ctx) => {
    const lease = await view.scrape({ gzip: ctx.acceptsEncodings('gzip', 'identity') === 'gzip' });
    const res = ctx.res;
    // The one release, whichever way the response ends: written out, the client gone (even before
    // this line), a HEAD request, or an error before the first byte.
    finished(res, () => lease.release());
    ctx.type = EXPOSITION_CONTENT_TYPE;
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept-Encoding');
    if (lease.encoding === 'gzip') ctx.set('Content-Encoding', 'gzip');
    // The chunks go to the socket as they are (docs/architecture.md#the-scrape-path). Koa has no multi-buffer
    // body, so this one response is written by hand; the headers set above are already on `res`.
    let length = 0;
    for (const c of lease.chunks) length += c.length;
    ctx.respond = false;
    res.statusCode = 200;
    res.setHeader('Content-Length', length);
    if (ctx.method === 'HEAD') {
      res.end();
      return;
    }
    res.cork();
    for (const c of lease.chunks) res.write(c);
    res.end();
  });
}
