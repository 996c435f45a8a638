import type Router from '@koa/router';
import { GzipStitcher } from './gzip-stitch.js';
import type { ExporterView } from './view.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `path` is `--web.telemetry-path`, already checked to be a plain path (src/cli/telemetry-path.ts). */
export function metricsRoute(router: Router, view: ExporterView, path = '/metrics'): void {
  const release = (chunks: readonly Buffer[]) => view.releaseChunks?.(chunks);
  const gzip = new GzipStitcher();
  router.get(path, async (ctx) => {
    const chunks = await view.metricsChunks();
    let handedOff = false;
    try {
      ctx.type = EXPOSITION_CONTENT_TYPE;
      ctx.set('Cache-Control', 'no-store');
      ctx.vary('Accept-Encoding');
      let body = chunks;
      if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
        // Compressed from segments cached per chunk; the chunks themselves are free once this is done.
        body = await gzip.gzip(chunks);
        release(chunks);
        handedOff = true;
        ctx.set('Content-Encoding', 'gzip');
      }
      // The chunks go to the socket as they are: joining them first would copy ~26 MB per scrape at
      // 10,000 exports. Koa has no multi-buffer body, so this one response is written by hand; the
      // headers set above (and by earlier middleware) are already on `res`.
      let length = 0;
      for (const c of body) length += c.length;
      const res = ctx.res;
      ctx.respond = false;
      res.statusCode = 200;
      res.setHeader('Content-Length', length);
      if (ctx.method === 'HEAD') {
        res.end();
        return;
      }
      if (!handedOff) {
        // 'close' comes after the last byte went to the kernel, or after the client went away; until
        // then the socket may still read from the chunks.
        res.once('close', () => release(chunks));
        handedOff = true;
      }
      res.cork();
      for (const c of body) res.write(c);
      res.end();
    } finally {
      // Whatever happened before the socket took the chunks (HEAD, an error), they are free.
      if (!handedOff) release(chunks);
    }
  });
}
