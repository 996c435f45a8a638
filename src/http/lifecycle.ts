import type Router from '@koa/router';
import type Koa from 'koa';
import type { TLSSocket } from 'node:tls';
import type { ExporterView } from './view.js';

/**
 * POST /-/reload, as Prometheus offers it: only with --web.enable-lifecycle, and never for a page on another
 * site. A browser sends a cross-site form POST without asking first, so the endpoint refuses what such a form
 * can send (the three form content types) and requests whose Origin or Sec-Fetch-Site names another origin.
 * curl and reloaders (configmap-reload, Prometheus-operator sidecars) send neither and are unaffected.
 */

/** What an HTML form can send without a CORS preflight. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function crossSiteReason(ctx: Koa.Context): string | undefined {
  const site = ctx.get('Sec-Fetch-Site').toLowerCase();
  if (site !== '' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const origin = ctx.get('Origin');
  if (origin !== '') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host === undefined || host === '' || host.toLowerCase() !== ctx.host.toLowerCase()) return 'the Origin is another site';
  }
  const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
  if (FORM_TYPES.includes(type)) return `form content type ${type}`;
  return undefined;
}

/** Loopback peers are on the same machine (a port-forward or a sidecar); they may see a failed reload's problems. */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Basic auth passed (src/web/middleware.ts marks it) or a verified client certificate. */
function isAuthenticated(ctx: Koa.Context): boolean {
  return ctx.state.authenticated === true || (ctx.req.socket as Partial<TLSSocket>).authorized === true;
}

export function lifecycleRoutes(router: Router, view: ExporterView): void {
  router.post('/-/reload', async (ctx) => {
    ctx.type = 'text/plain';
    ctx.set('Cache-Control', 'no-store');
    if (!view.lifecycleEnabled) {
      ctx.status = 403;
      ctx.body = 'Lifecycle API is not enabled: start with --web.enable-lifecycle (SIGHUP and config file changes reload too).\n';
      return;
    }
    const crossSite = crossSiteReason(ctx);
    if (crossSite !== undefined) {
      ctx.status = crossSite.startsWith('form') ? 415 : 403;
      ctx.body = `Refused: ${crossSite}. Send a bare POST (curl -X POST), not from a web page or form.\n`;
      return;
    }
    if (!view.reload) {
      ctx.status = 400;
      ctx.body = 'Nothing to reload: the exporter was not started from a config file.\n';
      return;
    }
    const outcome = await view.reload('POST /-/reload');
    if (outcome.ok) {
      ctx.body = 'Reloaded.\n';
    } else if (isAuthenticated(ctx) || isLoopback(ctx.req.socket.remoteAddress)) {
      ctx.status = 500;
      ctx.body = `Reload refused; the previous configuration keeps running:\n${outcome.problems.join('\n')}\n`;
    } else {
      ctx.status = 500;
      ctx.body = "Reload refused; the previous configuration keeps running. The problems are in the exporter's log.\n";
    }
  });
}
