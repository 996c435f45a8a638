import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkToken } from './auth.js';
import { accepts } from './accept.js';
import { apiNotFound, camelErrorKeys, gatewayThrottled, givenBody, JSON_TYPE, notAcceptable, serverNotFound } from './bodies.js';
import { serveFault, validateFault, type Fault } from './faults.js';
import { RequestLog } from './recorder.js';
import { createLogExports, OCTET_TYPE } from './log-exports.js';
import { createFleet } from './fleet.js';
import { keyId, matchRoute, type Route } from './route.js';
import { reply, statusNow, validateBehaviour, type Reply } from './scenario.js';
import { answer, hookFailed, isPromise, send } from './send.js';
import { Throttle } from './throttle.js';
import type { AuthVerdict, Authenticate, Behaviour, ExportKey, Simulator, SimulatorOptions } from './types.js';

interface Entry {
  readonly behaviour: Behaviour;
  readonly addedAt: number;
  served: number;
}

/** Node's own http server rather than koa: the benchmark pushes 10,000 requests through at concurrency 64. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const log = new RequestLog(opts.maxRecordedRequests ?? 10_000);
  const entries = new Map<string, Entry>();
  const faults = new Map<string, Fault>();
  const timers = new Set<NodeJS.Timeout>();
  let token = opts.token;
  let latency = 0;
  let throttle = opts.rateLimit === undefined ? undefined : new Throttle(opts.rateLimit);
  let throttled = 0;
  let closing: Promise<void> | undefined;
  let strictAccept = opts.strictAccept ?? false;
  let errorKeys = opts.errorKeys ?? 'snake';
  const authenticate: Authenticate = opts.authenticate ?? ((req) => checkToken(token, req));

  // A per-instance random prefix keeps ids unique across simulators; the counter keeps them cheap.
  const idPrefix = randomBytes(8).toString('hex');
  let idCounter = 0;

  const setBehaviour = (key: ExportKey, behaviour: Behaviour): void => {
    validateBehaviour(behaviour, `export ${key.projectId}/${key.serverId}/${key.exportId}`);
    entries.set(keyId(key), { behaviour, addedAt: now(), served: 0 });
  };
  for (const e of opts.exports ?? []) setBehaviour(e, e.behaviour);
  const logExports = createLogExports({
    now,
    addExport: setBehaviour,
    peekStatus: (key) => {
      const entry = entries.get(keyId(key));
      return entry === undefined
        ? { known: false }
        : { known: true, status: statusNow(entry.behaviour, { key, index: entry.served, now: now(), addedAt: entry.addedAt, requestId: '' }) };
    },
    answer: (res, requestId, r) => schedule(res, requestId, r),
    ...(opts.newExportBehaviour && { newExportBehaviour: opts.newExportBehaviour }),
    ...(opts.servers && { servers: opts.servers }),
    ...(opts.bundleLogBytes !== undefined && { bundleLogBytes: opts.bundleLogBytes }),
  });

  const fleet = createFleet(now);
  if (opts.fleet) fleet.api.set(opts.fleet);

  const server = createServer((req, res) => {
    const requestId = idPrefix + (idCounter++).toString(16).padStart(16, '0');
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const route = matchRoute(method, target);
    const at = now();
    log.push(
      route === undefined
        ? { method, path: target, headers: req.headers, at, requestId }
        : route.op === 'start' || 'query' in route
          ? { method, path: target, headers: req.headers, at, requestId, op: route.op }
          : { method, path: target, headers: req.headers, at, requestId, key: route.key, op: route.op },
    );
    if (route === undefined) return schedule(res, requestId, answer(404, apiNotFound()));

    let verdict: ReturnType<Authenticate>;
    try {
      verdict = authenticate({ method, rawPath: target, headers: req.headers, body: '', requestId, now: at });
    } catch (err) {
      return schedule(res, requestId, hookFailed(err));
    }
    if (isPromise(verdict)) {
      verdict.then(
        (v) => afterAuth(res, req, route, requestId, at, v),
        (err: unknown) => schedule(res, requestId, hookFailed(err)),
      );
    } else {
      afterAuth(res, req, route, requestId, at, verdict);
    }
  });

  function afterAuth(res: ServerResponse, req: IncomingMessage, route: Route, requestId: string, at: number, v: AuthVerdict): void {
    if (!v.ok) return schedule(res, requestId, answer(v.status, givenBody(v.body)));
    // After authentication, as the gateway's limit is a per-user policy.
    if (throttle?.refuse(req.headers, at)) {
      throttled++;
      const { requestsPerSecond, retryAfter } = throttle.limit;
      const body = gatewayThrottled(requestsPerSecond, requestId);
      return schedule(res, requestId, { kind: 'answer', status: 429, body, delayMs: 0, ...(retryAfter !== undefined && { retryAfter }) });
    }
    if (closing !== undefined) return;
    // What the API declares it produces: the documented 202 of ExportServerLogs is octet-stream too.
    const produces = route.op === 'start' || route.op === 'download' ? OCTET_TYPE : JSON_TYPE;
    const accept = req.headers.accept;
    if (strictAccept && !accepts(accept, produces)) return schedule(res, requestId, answer(406, notAcceptable(accept ?? '', produces, requestId)));
    if (route.op === 'start') return logExports.start(res, route.key, requestId);
    if (route.op === 'download') return logExports.download(res, route.key, requestId);
    if ('query' in route) {
      const a = fleet.answer(route.op, route.projectId, route.query, requestId);
      return a.kind === 'fault' ? serveFault(res, a.fault, requestId, '', at) : schedule(res, requestId, a.reply);
    }
    const key = route.key;
    const fault = faults.get(keyId(key));
    if (fault !== undefined) {
      return serveFault(res, fault, requestId, key.exportId, at);
    }
    const entry = entries.get(keyId(key));
    if (entry === undefined) return schedule(res, requestId, answer(404, serverNotFound(key.serverId)));
    const index = entry.served++;
    schedule(res, requestId, reply(entry.behaviour, { key, index, now: at, addedAt: entry.addedAt, requestId }));
  }

  function schedule(res: ServerResponse, requestId: string, r: Reply): void {
    if (r.kind === 'hang' || closing !== undefined) return;
    const delay = latency + r.delayMs;
    const styled = errorKeys === 'camel' && r.kind === 'answer' && r.status >= 400 ? { ...r, body: camelErrorKeys(r.body) } : r;
    if (delay <= 0) return send(res, requestId, styled);
    const t = setTimeout(() => {
      timers.delete(t);
      send(res, requestId, styled);
    }, delay);
    timers.add(t);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    get requests() {
      return log.snapshot();
    },
    get requestCount() {
      return log.count;
    },
    get throttledCount() {
      return throttled;
    },
    setRateLimit(limit) {
      throttle = limit === undefined ? undefined : new Throttle(limit);
    },
    setBehaviour,
    removeExport(key) {
      entries.delete(keyId(key));
    },
    setFault(key, fault) {
      if (fault === undefined) return void faults.delete(keyId(key));
      validateFault(fault, `fault for ${key.projectId}/${key.serverId}/${key.exportId}`);
      faults.set(keyId(key), fault);
    },
    servedCount(key) {
      return entries.get(keyId(key))?.served ?? 0;
    },
    setToken(t) {
      token = t;
    },
    setStrictAccept(on) {
      strictAccept = on;
    },
    setErrorKeys(style) {
      errorKeys = style;
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a finite number >= 0');
      latency = ms;
    },
    get startedExports() {
      return logExports.started;
    },
    queueStartFaults: (serverId, list) => logExports.queueStartFaults(serverId, list),
    setNewExportBehaviour: (b) => {
      validateBehaviour(b, 'new export behaviour');
      logExports.setNewExportBehaviour(b);
    },
    setBundle: (key, bundle) => logExports.setBundle(key, bundle),
    fleet: fleet.api,
    clearRequests() {
      log.clear();
      throttled = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        // server.close() alone waits for hanging requests and open keep-alive sockets.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
