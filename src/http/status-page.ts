import { formatDuration, secondsSince } from '../view-model/durations.js';
import { CONDITIONS, countByCondition, type Condition, type ExportJson } from '../view-model/export-json.js';
import { html, raw, type SafeHtml } from './html-template.js';
import type { ExportFileStatus } from '../domain/export-file.js';
import { accountSummary } from './account-summary.js';
import type { AccountView } from './view.js';
import type { AccountFleet } from '../domain/fleet.js';
import { fleetSection } from './fleet-section.js';
import { autoCollectSection } from './auto-collect-section.js';
import type { AutoCollectView } from '../domain/auto-collect.js';

/** The page reloads itself this often; the demo polls every 5 s, so a faster refresh would show nothing new. */
export const REFRESH_SECONDS = 5;

/** Scripts are never needed (the refresh is a meta tag), so the policy forbids them outright. */
export const STATUS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const LABELS: Record<Condition, string> = {
  failed: 'failed',
  poll_failing: 'poll failing',
  not_polled: 'not polled yet',
  stuck: 'stuck',
  unknown: 'unknown',
  processing: 'processing',
  completed: 'completed',
  retired: 'retired',
};

export interface PageMeta {
  readonly version: string;
  readonly ready: boolean;
  /** Exporter clock, Unix seconds. */
  readonly nowSeconds: number;
  /** `--web.telemetry-path`; the Metrics link follows it. Default "/metrics". */
  readonly metricsPath?: string;
  /** Shown as banners above the table (a poll schedule that cannot be met). */
  readonly warnings?: readonly string[];
  /** Shown below the exports when `export_files` is configured. */
  readonly exportFiles?: readonly ExportFileStatus[];
  /** Every configured account: one summary line each. */
  readonly accounts?: readonly AccountView[];
  /** Discovered servers: a summary per account and every server that is not OK, with its latest export. */
  readonly fleets?: readonly AccountFleet[];
  /** `auto_collect`: what it did lately. */
  readonly autoCollect?: AutoCollectView | undefined;
}

function filesSection(files: readonly ExportFileStatus[] | undefined): SafeHtml | string {
  if (files === undefined || files.length === 0) return '';
  const rows = files.map(
    (f) =>
      html`<tr data-file-ok="${f.ok ? '1' : '0'}"><td class="id">${f.path}</td><td>${f.ok ? 'loaded' : html`${badge('failed')} keeping last good content`}</td><td>${f.exports}</td><td class="err">${f.problems.map((p, i) => html`${i > 0 ? raw('<br>') : ''}${p}`)}</td></tr>`,
  );
  return html`<h2>Export files</h2>
<div class="scroll"><table>
<thead><tr><th>File</th><th>Last load</th><th>Exports</th><th>Problems</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

// Constant markup: the table scrolls inside its own box so the page never overflows a phone's width.
const STYLE = raw(`
:root{color-scheme:light dark;--muted:#6b7280;--line:#d1d5db}
body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.35}
h1{font-size:1.4rem;margin:0 0 .3rem}
.meta,.muted{color:var(--muted)}
.summary{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.45rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;white-space:nowrap}
th{position:sticky;top:0;background:Canvas;font-weight:600}
td.err{white-space:normal;min-width:11rem;max-width:22rem;overflow-wrap:anywhere}
td.err .clamp{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden}
td.wrap{white-space:normal;max-width:16rem;overflow-wrap:anywhere}
td.sid{white-space:normal;min-width:20ch;max-width:20ch}
.accounts{list-style:none;padding:0;margin:.4rem 0 .8rem}.accounts li{margin:.15rem 0;overflow-wrap:anywhere}
.accounts .failing{color:#c2410c;font-weight:600}.accounts .paused{color:#b91c1c}
.id{font-family:ui-monospace,monospace;font-size:.8rem}
.chip{display:inline-block;white-space:nowrap;font-size:.75rem;padding:0 .35rem;margin:.15rem .2rem 0 0;border:1px solid var(--line);border-radius:4px}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;color:#fff;background:#6b7280}
.b-failed{background:#b91c1c}.b-poll_failing{background:#c2410c}.b-stuck{background:#a16207}
.b-unknown{background:#7c3aed}.b-processing{background:#1d4ed8}.b-completed{background:#15803d}
.summary .zero{opacity:.45}
.banner{border:1px solid #c2410c;border-left-width:.4rem;border-radius:6px;padding:.5rem .7rem;margin:.6rem 0;overflow-wrap:anywhere}
progress{width:4.5rem;vertical-align:middle}
@media (max-width:600px){body{margin:.6rem}th,td{padding:.35rem .45rem}}
`);

function badge(condition: Condition): SafeHtml {
  return html`<span class="badge b-${condition}">${LABELS[condition]}</span>`;
}

/** Relative time with the exact time as a tooltip; "never" when the fact is unknown. */
function ago(isoTime: string | null, nowSeconds: number, never = 'never'): SafeHtml {
  const s = secondsSince(isoTime, nowSeconds);
  return s === undefined ? html`<span class="muted">${never}</span>` : html`<time datetime="${isoTime}" title="${isoTime}">${formatDuration(s)} ago</time>`;
}

function statusCell(e: ExportJson, nowSeconds: number): SafeHtml {
  // The API's own spelling helps when the mapping looks wrong ("Queued" reported as unknown).
  const rawStatus = e.raw_status !== null && e.raw_status !== e.status ? html`<div class="muted">API: ${e.raw_status}</div>` : '';
  const retired = e.retired ? html`<div class="muted">${e.retired.reason.replace(/_/g, ' ')}, ${ago(e.retired.at, nowSeconds)}</div>` : '';
  return html`<td>${badge(e.condition)}${rawStatus}${retired}</td>`;
}

function progressCell(e: ExportJson): SafeHtml {
  if (e.percentage === null) return html`<td class="muted">—</td>`;
  return html`<td><progress max="100" value="${e.percentage}">${e.percentage}%</progress> <span class="pct">${e.percentage}%</span></td>`;
}

function errorCell(e: ExportJson, nowSeconds: number): SafeHtml {
  const err = e.last_error;
  if (!err) return html`<td class="err muted">—</td>`;
  const code = err.error_code ? html` <span class="id">${err.error_code}</span>` : '';
  // Clamped to a few lines so that one long answer cannot widen or lengthen the table; the whole text on hover.
  const full = `${err.reason}${err.error_code ? ` ${err.error_code}` : ''} ${err.message}`;
  return html`<td class="err" title="${full}"><div class="clamp"><b>${err.reason}</b>${code} ${err.message}</div><span class="muted">(${ago(err.at, nowSeconds)})</span></td>`;
}

function row(e: ExportJson, nowSeconds: number): SafeHtml {
  const labels = Object.entries(e.labels).map(([k, v]) => html`<span class="chip">${k}=${v}</span>`);
  return html`<tr data-condition="${e.condition}" data-project-id="${e.project_id}" data-server-id="${e.server_id}" data-export-id="${e.export_id}">
<td class="wrap"><b class="name">${e.name || '—'}</b><div>${labels}</div></td>
<td class="id sid" title="project ${e.project_id}">${e.server_id}</td>
<td class="id">${e.export_id}</td>
<td>${e.account}</td>
${statusCell(e, nowSeconds)}
${progressCell(e)}
<td>${e.age_seconds === null ? html`<span class="muted">—</span>` : html`<span title="created ${e.created_at}">${formatDuration(e.age_seconds)}</span>`}</td>
<td>${ago(e.last_progress_at, nowSeconds, '—')}</td>
<td>${ago(e.last_success_at, nowSeconds)}</td>
${errorCell(e, nowSeconds)}
</tr>`;
}

export function renderStatusPage(exports: readonly ExportJson[], meta: PageMeta): string {
  const counts = countByCondition(exports);
  const asOf = new Date(meta.nowSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const summary = CONDITIONS.map(
    (c) => html`<li class="${counts[c] === 0 ? 'zero' : ''}" data-condition="${c}">${badge(c)} <b class="count">${counts[c]}</b></li>`,
  );
  const body = exports.length === 0 ? html`<tr><td colspan="10" class="muted">No exports are tracked.</td></tr>` : exports.map((e) => row(e, meta.nowSeconds));
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>CloudDC log exports</title>
<style>${STYLE}</style>
</head><body>
<h1>CloudDC log exports</h1>
<p class="meta">Version ${meta.version} · ${meta.ready ? 'ready' : 'starting: first poll cycle running'} · ${exports.length} exports · as of <time datetime="${asOf}">${asOf}</time> · refreshes every ${REFRESH_SECONDS} s</p>
${(meta.warnings ?? []).map((w) => html`<p class="banner" role="alert"><b>Poll schedule cannot be met.</b> ${w}</p>`)}
<ul class="summary">${summary}</ul>
${accountSummary(exports, meta.accounts ?? [], meta.nowSeconds)}
<div class="scroll"><table>
<thead><tr><th>Export</th><th>Server</th><th>Export id</th><th>Account</th><th>Status</th><th>Progress</th><th>Age</th><th>Last progress</th><th>Last success</th><th>Last error</th></tr></thead>
<tbody>
${body}
</tbody></table></div>
${fleetSection(meta.fleets, exports, meta.nowSeconds)}
${autoCollectSection(meta.autoCollect, meta.nowSeconds)}
${filesSection(meta.exportFiles)}
<p><a href="${(meta.metricsPath ?? '/metrics').slice(1)}">Metrics</a> · <a href="api/v1/exports">JSON</a> · <a href="-/healthy">Health</a> · <a href="-/ready">Readiness</a></p>
</body></html>
`.text;
}
