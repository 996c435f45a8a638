/** Paths the exporter serves itself; the metrics must not shadow them. */
const RESERVED_PREFIXES = ['/-/', '/api/'];

/**
 * Checks `--web.telemetry-path`: an absolute path of plain URL characters (letters, digits, `-._~/`),
 * so that it means the same to the router as to the scraper, and not one of the exporter's own endpoints.
 * Returns the problem, or undefined when the path is fine.
 */
export function telemetryPathProblem(path: string): string | undefined {
  if (!/^\/[A-Za-z0-9\-._~/]*$/.test(path)) {
    return `expected an absolute path of letters, digits and -._~/ such as /metrics, got "${path}"`;
  }
  if (path.includes('//')) return `"${path}" has an empty segment`;
  const reserved = RESERVED_PREFIXES.find((p) => path === p.slice(0, -1) || path.startsWith(p));
  if (reserved) return `"${path}" would shadow the exporter's own ${reserved}* endpoints`;
  return undefined;
}
