import type Koa from 'koa';
import type { Logger } from 'pino';
import { createBasicAuthVerifier, type BasicAuthVerifier } from './basic-auth.js';
import type { WebConfig } from './config.js';

/** Probes stay open: a kubelet or load balancer has no credentials, and these pages reveal nothing. */
export const UNAUTHENTICATED_PATHS: readonly string[] = ['/-/healthy', '/-/ready'];

export const REALM = 'clouddc-exporter';

export interface WebMiddlewareOptions {
  /** Replaces the bcrypt verifier built from the config (tests). */
  readonly verifier?: BasicAuthVerifier;
}

/**
 * What a web config adds in front of the routes: its response headers on every answer, then basic auth on
 * every path but the probes. Failed attempts are logged at debug level with the path and client address only.
 */
export function webMiddleware(web: WebConfig, logger: Logger, opts: WebMiddlewareOptions = {}): Koa.Middleware[] {
  const out: Koa.Middleware[] = [];
  const headers = Object.entries(web.headers);
  if (headers.length > 0) {
    out.push(async (ctx, next) => {
      for (const [name, value] of headers) ctx.set(name, value);
      await next();
    });
  }
  if (web.users.size > 0) {
    const verifier = opts.verifier ?? createBasicAuthVerifier({ users: web.users });
    out.push(async (ctx, next) => {
      if (UNAUTHENTICATED_PATHS.includes(ctx.path)) {
        await next();
        return;
      }
      if (await verifier.verify(ctx.get('Authorization') || undefined, ctx.ip)) {
        ctx.state.authenticated = true;
        await next();
        return;
      }
      logger.debug({ path: ctx.path, remote: ctx.ip, credentials: ctx.get('Authorization') ? 'wrong' : 'none' }, 'basic auth failed');
      ctx.status = 401;
      ctx.set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/plain';
      ctx.body = 'Unauthorized: this exporter requires HTTP basic authentication.\n';
    });
  }
  return out;
}
