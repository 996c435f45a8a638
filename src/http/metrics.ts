import { finished } from 'node:stream';
import type Router from '@koa/router';
import type { ExporterView } from './view.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * How much of the exporter scrapes may hold at once. Prometheus scrapes a target one scrape at a time, so a
 * handful at once is an HA pair plus a person or two; hundreds are a misconfiguration or an attack, and each
 * holds memory (its scrape-time Buffers, or chunks the recycler may not reuse) until its response is written.
 */
export interface ScrapeLimits {
  /** Scrapes served at once (`--web.max-requests`); more are answered 503 with Retry-After. 0: no limit. */
  readonly maxInFlight: number;
  /** A response the client reads nothing of for this long is cut off (`--web.write-idle-timeout`). 0: never. */
  readonly writeIdleTimeoutMs: number;
  /** Counts a scrape answered 503 (the self-metric). */
  readonly refused?: () => void;
  /** Counts a response cut off by the write timeout. */
  readonly timedOut?: () => void;
}

export const DEFAULT_SCRAPE_LIMITS: ScrapeLimits = { maxInFlight: 10, writeIdleTimeoutMs: 10_000 };

/** Seconds a refused scraper is asked to wait: a scrape of 10,000 exports is written in well under one. */
const RETRY_AFTER_S = 1;

/** `path` is `--web.telemetry-path`, already checked to be a plain path (src/cli/telemetry-path.ts). */
export function metricsRoute(router: Router, view: ExporterView, path = '/metrics', limits: ScrapeLimits = DEFAULT_SCRAPE_LIMITS): void {
  let inFlight = 0;
  router.get(path, async (ctx) => {
    const res = ctx.res;
    ctx.set('Cache-Control', 'no-store');
    if (limits.maxInFlight > 0 && inFlight >= limits.maxInFlight) {
      limits.refused?.();
      ctx.status = 503;
      ctx.set('Retry-After', String(RETRY_AFTER_S));
      ctx.type = 'text/plain';
      ctx.body = `Too many scrapes at once (at most ${limits.maxInFlight}, --web.max-requests); retry later.\n`;
      return;
    }
    // The slot is held until the response ends, whichever way: written out, the client gone, cut off, an error.
    inFlight++;
    finished(res, () => inFlight--);
    const lease = await view.scrape({ gzip: ctx.acceptsEncodings('gzip', 'identity') === 'gzip' });
    // The one release, whichever way the response ends: written out, the client gone (even before
    // this line), a HEAD request, or an error before the first byte.
    finished(res, () => lease.release());
    ctx.type = EXPOSITION_CONTENT_TYPE;
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
    // A client that stops reading stalls the socket; with no byte taken for this long the socket is destroyed,
    // which ends the response and so releases its lease and slot.
    if (limits.writeIdleTimeoutMs > 0) {
      res.setTimeout(limits.writeIdleTimeoutMs, () => {
        limits.timedOut?.();
        res.destroy();
      });
    }
    res.cork();
    for (const c of lease.chunks) res.write(c);
    res.end();
  });
}
