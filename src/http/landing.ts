import type Router from '@koa/router';
import { EXPORT_STATUSES } from '../domain/export.js';
import { escapeHtml } from './html.js';
import type { ExporterView } from './view.js';

export function countByStatus(view: ExporterView): Record<string, number> {
  const counts: Record<string, number> = { not_polled_yet: 0 };
  for (const s of EXPORT_STATUSES) counts[s] = 0;
  for (const state of view.states()) {
    const key = state.observation?.status ?? 'not_polled_yet';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function landingRoute(router: Router, view: ExporterView): void {
  router.get('/', (ctx) => {
    const counts = countByStatus(view);
    const rows = Object.entries(counts)
      .map(([status, n]) => `<tr><td>${escapeHtml(status.replace(/_/g, ' '))}</td><td>${n}</td></tr>`)
      .join('');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CloudDC log export exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}td{padding:.2rem 1rem .2rem 0}</style>
</head><body>
<h1>CloudDC log export exporter</h1>
<p>Version ${escapeHtml(view.version)} · ${view.ready() ? 'ready' : 'starting: first poll cycle running'}</p>
<h2>Exports by status</h2>
<table>${rows}</table>
<ul><li><a href="metrics">Metrics</a></li><li><a href="-/healthy">Health</a></li><li><a href="-/ready">Readiness</a></li></ul>
</body></html>
`;
  });
}
