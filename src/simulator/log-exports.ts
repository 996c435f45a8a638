import type { ServerResponse } from 'node:http';
import { defaultErrorBody, givenBody, JSON_TYPE, type BodySpec } from './bodies.js';
import { bundleChunks, bundleLength } from './bundle.js';
import { formatCreatedAt } from './progress.js';
import { keyId } from './route.js';
import type { Reply } from './scenario.js';
import type { Behaviour, BundleOptions, ExportKey, StartFault } from './types.js';

/**
 * ExportServerLogs and DownloadServerLogs. Both answer after the gateway's checks (authentication, throttling) that
 * server.ts runs for every route, so 401 and 429 come from there with the bodies ShowLogsExportStatus gets.
 */

export const OCTET_TYPE = 'application/octet-stream;charset=UTF-8';

export interface LogExportDeps {
  readonly now: () => number;
  /** Registers a new export for ShowLogsExportStatus. */
  readonly addExport: (key: ExportKey, behaviour: Behaviour) => void;
  /** What ShowLogsExportStatus would answer now, without counting a request: the status field, or undefined. */
  readonly peekStatus: (key: ExportKey) => { readonly known: boolean; readonly status?: string };
  /** Sends a one-piece answer (with the simulator's latency). */
  readonly answer: (res: ServerResponse, requestId: string, r: Reply) => void;
  readonly newExportBehaviour?: Behaviour;
  readonly servers?: readonly string[];
  readonly bundleLogBytes?: number;
}

export interface LogExports {
  start(res: ServerResponse, server: Omit<ExportKey, 'exportId'>, requestId: string): void;
  download(res: ServerResponse, key: ExportKey, requestId: string): void;
  readonly started: readonly ExportKey[];
  queueStartFaults(serverId: string, faults: readonly StartFault[]): void;
  setNewExportBehaviour(behaviour: Behaviour): void;
  setBundle(key: ExportKey, bundle: BundleOptions | undefined): void;
}

/** Hardware serial numbers are what the real Content-Disposition carries; the simulator derives one per server. */
export function serialNumber(serverId: string): string {
  return `2102${serverId
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 12)
    .toUpperCase()}`;
}

function errorReply(status: number, serverId: string, requestId: string, body?: string | Record<string, unknown>, retryAfter?: string): Reply {
  const spec: BodySpec = body === undefined ? defaultErrorBody(status, serverId, requestId) : givenBody(body);
  return { kind: 'answer', status, body: spec, delayMs: 0, ...(retryAfter !== undefined && { retryAfter }) };
}

export function createLogExports(deps: LogExportDeps): LogExports {
  const started: ExportKey[] = [];
  const startFaults = new Map<string, StartFault[]>();
  const bundles = new Map<string, BundleOptions>();
  let newBehaviour: Behaviour = deps.newExportBehaviour ?? { kind: 'progress', durationMs: 30_000 };
  let counter = 0;

  function create(server: Omit<ExportKey, 'exportId'>, at: number): ExportKey {
    let key: ExportKey;
    do key = { ...server, exportId: String(++counter) };
    while (deps.peekStatus(key).known);
    // Progress starts when the export is made, whatever the template's own start says.
    const behaviour: Behaviour = newBehaviour.kind === 'progress' ? { ...newBehaviour, startedAt: at } : newBehaviour;
    deps.addExport(key, behaviour);
    started.push(key);
    return key;
  }

  return {
    get started() {
      return [...started];
    },
    start(res, server, requestId) {
      const at = deps.now();
      if (deps.servers !== undefined && !deps.servers.includes(server.serverId)) {
        return deps.answer(res, requestId, errorReply(404, server.serverId, requestId));
      }
      const fault = startFaults.get(server.serverId)?.shift();
      if (fault !== undefined) {
        if (fault.created === true) create(server, at);
        if (fault.kind === 'drop') return void res.socket?.destroy();
        return deps.answer(res, requestId, errorReply(fault.status, server.serverId, requestId, fault.body, fault.retryAfter));
      }
      const key = create(server, at);
      const body = JSON.stringify({ export_id: key.exportId, status: 'processing', percentage: '0%', created_at: formatCreatedAt(at, 'offset') });
      // The documented 202 headers name a file and octet-stream although the body is the JSON status document.
      res.writeHead(202, {
        'content-type': OCTET_TYPE,
        'content-disposition': `attachment; filename=${serialNumber(server.serverId)}-dump.tar.gz`,
        'content-transfer-encoding': 'binary',
        'content-length': Buffer.byteLength(body),
        'x-request-id': requestId,
        server: 'api-gateway',
      });
      res.end(body);
    },
    download(res, key, requestId) {
      const peek = deps.peekStatus(key);
      if (!peek.known) return deps.answer(res, requestId, errorReply(404, key.serverId, requestId));
      const options = bundles.get(keyId(key)) ?? {};
      if (options.error !== undefined) {
        return deps.answer(res, requestId, errorReply(options.error.status, key.serverId, requestId, options.error.body));
      }
      if (!/^completed$/i.test(peek.status ?? '')) {
        const body = {
          error_code: 'iMetal.0001',
          error_msg: 'A request parameter contains invalid or unsupported value: export_id (the export is not completed)',
        };
        return deps.answer(res, requestId, { kind: 'answer', status: 400, body: { contentType: JSON_TYPE, text: JSON.stringify(body) }, delayMs: 0 });
      }
      const spec = { logBytes: options.logBytes ?? deps.bundleLogBytes ?? 256 * 1024, mtimeMs: deps.now(), serverId: key.serverId, exportId: key.exportId };
      res.writeHead(200, {
        'content-type': OCTET_TYPE,
        'content-disposition': `attachment; filename=${options.filename ?? `${serialNumber(key.serverId)}-dump.tar.gz`}`,
        'content-transfer-encoding': 'binary',
        'content-length': bundleLength(spec),
        'x-request-id': requestId,
        server: 'api-gateway',
      });
      stream(res, bundleChunks(spec), options.fault);
    },
    queueStartFaults(serverId, faults) {
      startFaults.set(serverId, [...(startFaults.get(serverId) ?? []), ...faults]);
    },
    setNewExportBehaviour(behaviour) {
      newBehaviour = behaviour;
    },
    setBundle(key, bundle) {
      if (bundle === undefined) bundles.delete(keyId(key));
      else bundles.set(keyId(key), bundle);
    },
  };
}

/** Writes with back-pressure, so a slow reader holds at most one chunk in the simulator too. */
function stream(res: ServerResponse, chunks: Iterator<Buffer>, fault: BundleOptions['fault']): void {
  let sent = 0;
  const pump = (): void => {
    while (!res.destroyed) {
      const next = chunks.next();
      if (next.done === true) return void res.end();
      let chunk = next.value;
      if (fault !== undefined && sent + chunk.length > fault.afterBytes) {
        chunk = chunk.subarray(0, Math.max(0, fault.afterBytes - sent));
        res.write(chunk, () => {
          // A stall leaves the response open; the client's timeout (or the simulator closing) ends it.
          if (fault.kind === 'reset') res.socket?.destroy();
        });
        return;
      }
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
  };
  pump();
}
