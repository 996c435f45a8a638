/** "42s", "7m 05s", "3h 12m", "2d 4h": two units are enough to tell stuck from fine at a glance. */
export function formatDuration(seconds: number): string {
  // Clock skew between the API and the exporter can make an age slightly negative; show 0, as /metrics does.
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Seconds from an ISO time to `nowSeconds`; undefined when the time is unknown. */
export function secondsSince(isoTime: string | null, nowSeconds: number): number | undefined {
  return isoTime === null ? undefined : nowSeconds - Date.parse(isoTime) / 1000;
}
