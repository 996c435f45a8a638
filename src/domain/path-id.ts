/**
 * Whether the API gateway can route a request whose path holds `id` as one segment. The official SDKs put ids into
 * the path as they are (huaweicloud-sdk-go-v3 replaces `{id}` with the raw value, and Go escapes only what a path
 * cannot hold), and the gateway routes the decoded path: a "/" in an id splits it into two segments, so no client
 * can reach such an id, whether it sends the "/" or `%2F`. A dot segment is resolved away before routing. Every
 * other character is escaped by the SDK and by the exporter alike, and arrives intact.
 */
export function unroutableIdReason(id: string): string | undefined {
  if (id.includes('/')) return 'must not contain "/": the API gateway routes the decoded path, where "/" splits the id in two, so no request can reach it';
  if (id === '.' || id === '..') return `must not be "${id}": a dot segment is resolved away before routing, so the request would address another resource`;
  return undefined;
}
