import { gatewayAuthFailure } from './bodies.js';
import type { AuthRequest, AuthVerdict } from './types.js';

/** The gateway's static-token check; `expected` undefined means the simulator accepts any request. */
export function checkToken(expected: string | undefined, req: AuthRequest): AuthVerdict {
  if (expected === undefined) return { ok: true };
  const sent = req.headers['x-auth-token'];
  if (sent === undefined || sent === '') {
    return { ok: false, status: 401, body: gatewayAuthFailure('x-auth-token not found', req.requestId) };
  }
  if (sent !== expected) {
    return { ok: false, status: 401, body: gatewayAuthFailure('decrypt token fail', req.requestId) };
  }
  return { ok: true };
}
