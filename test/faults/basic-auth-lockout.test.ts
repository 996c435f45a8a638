import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { createApp } from '../../src/http/app.js';
import type { ExporterView } from '../../src/http/view.js';
import { createBasicAuthVerifier } from '../../src/web/basic-auth.js';
import { webMiddleware } from '../../src/web/middleware.js';
import { silentLogger } from '../support/factories.js';

/**
 * Issue 21 B2: one address floods with wrong passwords under ever new user names (a queue keyed by address and
 * user name gave each name its own line, filled the whole queue and turned every other first login away at once).
 * Real sockets from distinct loopback addresses; the checks are counted, not timed: a right login from another
 * address must get its check with at most the one check already running ahead of it.
 */

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** One GET on a new connection from `from` (a loopback address), resolving with the status. */
function get(port: number, from: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/exports', localAddress: from, agent: false, headers: { Authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('basic auth: a flood from one address under rotating user names', () => {
  it('cannot keep another address from its check', async () => {
    // What happened, in order: `arrive <address>` when a request reaches the verifier, `check <password>` when
    // its bcrypt comparison starts.
    const events: string[] = [];
    const users = new Map([['prometheus', new Secret('hash-of-right')]]);
    const inner = createBasicAuthVerifier({
      users,
      cacheTtlMs: 0, // every right login is a first login
      compare: (password, hash) =>
        new Promise((resolve) => {
          events.push(`check ${password}`);
          setTimeout(() => resolve(hash === `hash-of-${password}`), 5);
        }),
    });
    const verifier = {
      get cacheSize() {
        return inner.cacheSize;
      },
      verify: (authorization: string | undefined, client?: string) => {
        events.push(`arrive ${client}`);
        return inner.verify(authorization, client);
      },
    };
    const view: ExporterView = { version: 't', ready: () => true, scrape: () => Promise.reject(new Error('unused')), states: () => [] };
    const web = { users, headers: {} } as unknown as Parameters<typeof webMiddleware>[0];
    const app = createApp({ view, logger: silentLogger, before: webMiddleware(web, silentLogger, { verifier }) });
    const listening = app.listen(0, '127.0.0.1');
    server = listening;
    await new Promise((r) => listening.once('listening', r));
    const port = (listening.address() as AddressInfo).port;

    // 100 connections from 127.0.0.2, each sending again as soon as answered, every request under a new name.
    let stop = false;
    let sent = 0;
    const floodStatuses: number[] = [];
    const flooder = async () => {
      while (!stop) floodStatuses.push(await get(port, '127.0.0.2', basic(`user-${sent++}`, `wrong-${sent}`)));
    };
    const flood = Array.from({ length: 100 }, flooder);
    while (events.filter((e) => e.startsWith('check wrong')).length < 3) await new Promise((r) => setTimeout(r, 5));

    const logins: number[] = [];
    for (let i = 0; i < 5; i++) logins.push(await get(port, '127.0.0.3', basic('prometheus', 'right')));
    stop = true;
    await Promise.all(flood);

    expect(logins, 'every right login from the other address got in').toEqual([200, 200, 200, 200, 200]);
    expect(floodStatuses.length).toBeGreaterThan(100);
    expect(floodStatuses.every((s) => s === 401)).toBe(true);
    // Each right login's check started with at most one other check started between its arrival and it.
    const arrivals = events.flatMap((e, i) => (e === 'arrive 127.0.0.3' ? [i] : []));
    expect(arrivals).toHaveLength(5);
    for (const at of arrivals) {
      const own = events.indexOf('check right', at);
      expect(own, 'the right login was checked').toBeGreaterThan(at);
      const between = events.slice(at + 1, own).filter((e) => e.startsWith('check '));
      expect(between.length, `checks run ahead of a right login: ${between.join(', ')}`).toBeLessThanOrEqual(1);
    }
    // The flood's checks that ran: never more than the one running and four waiting at a time, whatever the names.
    const floodChecks = events.filter((e) => e.startsWith('check wrong')).length;
    const floodArrivals = events.filter((e) => e === 'arrive 127.0.0.2').length;
    expect(floodChecks).toBeLessThan(floodArrivals / 2);
  }, 30_000);
});
