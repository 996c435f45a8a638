import { STATUS_CODES } from 'node:http';

/**
 * Error bodies as CloudDC and its API gateway send them (docs/clouddc-api.md#errors-and-throttling). The client has to cope with
 * every one of these shapes, so the defaults deliberately differ: JSON from CloudDC, JSON with request_id
 * from the gateway, a bare string for 429 and HTML from the load balancer in front of both.
 */

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const TEXT_TYPE = 'text/plain;charset=UTF-8';
export const HTML_TYPE = 'text/html';

export interface BodySpec {
  readonly contentType: string;
  readonly text: string;
}

const json = (value: unknown): BodySpec => ({ contentType: JSON_TYPE, text: JSON.stringify(value) });

export function apiNotFound(): BodySpec {
  return json({
    error_code: 'APIGW.0101',
    error_msg: 'The API does not exist or has not been published in the environment',
  });
}

export function serverNotFound(serverId: string): BodySpec {
  return json({ error_code: 'iMetal.0100', error_msg: `Physical servers ID not found: [${serverId}]` });
}

export function gatewayAuthFailure(reason: string, requestId: string): Record<string, string> {
  return {
    error_code: 'APIGW.0301',
    error_msg: `Incorrect IAM authentication information: ${reason}`,
    request_id: requestId,
  };
}

/** APIGW.0307: the token expired, was revoked, or was issued for another region (docs/clouddc-api.md#errors-and-throttling). */
export function tokenMustBeUpdated(requestId: string): Record<string, string> {
  return { error_code: 'APIGW.0307', error_msg: 'The token must be updated.', request_id: requestId };
}

/** APIGW.0308 exactly as the gateway words it (docs/clouddc-api.md#errors-and-throttling). */
export function gatewayThrottled(limit: number, requestId: string): BodySpec {
  return json({
    error_code: 'APIGW.0308',
    error_msg: `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`,
    request_id: requestId,
  });
}

export function gatewayHtml(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>api-gateway</center>\r\n</body>\r\n</html>\r\n`
  );
}

/** The body a status gets when a scripted error names none. */
export function defaultErrorBody(status: number, serverId: string, requestId: string): BodySpec {
  switch (status) {
    case 400:
      return json({
        error_code: 'iMetal.0001',
        error_msg: 'A request parameter contains invalid or unsupported value: export_id',
      });
    case 401:
      return json(gatewayAuthFailure('decrypt token fail', requestId));
    case 403:
      return json({ error_code: 'iMetal.0004', error_msg: 'Insufficient permissions' });
    case 404:
      return serverNotFound(serverId);
    case 429:
      // The CloudDC pages declare the 429 body as a bare String with no schema.
      return { contentType: TEXT_TYPE, text: 'Too Many Requests' };
    case 502:
    case 503:
    case 504:
      return { contentType: HTML_TYPE, text: gatewayHtml(status) };
    default:
      return json({
        error_code: 'iMetal.0099',
        error_msg: status === 500 ? 'Internal server error' : (STATUS_CODES[status] ?? 'Internal server error'),
      });
  }
}

/** A caller-given body: strings go out verbatim, objects as JSON. */
export function givenBody(body: string | Record<string, unknown>, contentType?: string): BodySpec {
  if (typeof body === 'string') return { contentType: contentType ?? TEXT_TYPE, text: body };
  return { contentType: contentType ?? JSON_TYPE, text: JSON.stringify(body) };
}

/** A strict gateway's 406 (its wording is our assumption; no document shows one). */
export function notAcceptable(accept: string, produces: string, requestId: string): BodySpec {
  return json({ error_msg: `Not Acceptable: Accept ${JSON.stringify(accept)} does not admit ${produces}`, request_id: requestId });
}

/** The camelCase spelling some Huawei services use for error bodies (errorCode, errorMsg); other bodies pass unchanged. */
export function camelErrorKeys(body: BodySpec): BodySpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  const renamed = Object.entries(parsed as Record<string, unknown>).map(([k, v]): [string, unknown] => [
    k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
    v,
  ]);
  return { contentType: body.contentType, text: JSON.stringify(Object.fromEntries(renamed)) };
}
