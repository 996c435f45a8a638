import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { givenBody } from './bodies.js';
import { serveFault, validateFault, type Fault } from './faults.js';
import { send } from './http-util.js';

/**
 * Faults of the credential services (metadata, pod identity, IAM federation), per operation: one that stays set
 * until cleared, or a queue answering the next requests one each. Wire faults reuse faults.ts.
 */
export type ServiceFault =
  /** This status; without `body`, the service's own default body for it. */
  | { readonly kind: 'error'; readonly status: number; readonly body?: string | Record<string, unknown>; readonly contentType?: string }
  /** Never answers, until the service closes (a timeout for the client). */
  | { readonly kind: 'hang' }
  | Fault;

/** A request one of the credential services received, answered or not. */
export interface ServiceRequest<Op extends string> {
  readonly method: string;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: IncomingHttpHeaders;
  /** The request body as text (for checking what a client sent, e.g. duration_seconds). */
  readonly body: string;
  /** Simulator clock, ms. */
  readonly at: number;
  /** The operation the path matched; undefined for a 404. */
  readonly op?: Op;
}

export function validateServiceFault(f: ServiceFault, where: string): void {
  if (f.kind === 'error') {
    if (!Number.isInteger(f.status) || f.status < 100 || f.status > 599) throw new RangeError(`${where}: status must be an integer 100-599`);
    return;
  }
  if (f.kind !== 'hang') validateFault(f, where);
}

export class ServiceFaults<Op extends string> {
  readonly #set = new Map<Op, ServiceFault>();
  readonly #queued = new Map<Op, ServiceFault[]>();

  set(op: Op, fault: ServiceFault | undefined): void {
    if (fault === undefined) return void this.#set.delete(op);
    validateServiceFault(fault, `fault for ${op}`);
    this.#set.set(op, fault);
  }

  queue(op: Op, faults: readonly ServiceFault[]): void {
    faults.forEach((f, i) => validateServiceFault(f, `fault ${i} for ${op}`));
    this.#queued.set(op, [...(this.#queued.get(op) ?? []), ...faults]);
  }

  /** The fault that answers this request instead of the service, if any (a queued one is used up). */
  take(op: Op): ServiceFault | undefined {
    return this.#queued.get(op)?.shift() ?? this.#set.get(op);
  }
}

/** Answers with `fault`; `defaultBody` gives the service's body for an error status named without one. */
export function serveServiceFault(res: ServerResponse, fault: ServiceFault, now: number, defaultBody: (status: number) => string): void {
  switch (fault.kind) {
    case 'hang':
      return;
    case 'error': {
      const body = fault.body === undefined ? givenBody(parseOr(defaultBody(fault.status))) : givenBody(fault.body, fault.contentType);
      return send(res, fault.status, body.text, {}, body.contentType);
    }
    default:
      return serveFault(res, fault, '', '', now);
  }
}

function parseOr(text: string): string | Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : text;
  } catch {
    return text;
  }
}
