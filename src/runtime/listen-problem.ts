/** Why the server cannot listen, and the flag that changes where it listens. */
export function listenProblem(listen: { readonly host?: string; readonly port: number }, err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const address = `${listen.host === undefined ? '' : listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (another exporter or demo running?)'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no network interface has this address'
          : err instanceof Error
            ? err.message
            : String(err);
  return `cannot listen on ${address}: ${why}; choose another address with --web.listen-address=[host]:port`;
}
