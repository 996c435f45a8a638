import { HEALTH_STATES, type AccountFleet, type FleetServer, type HealthState } from '../domain/fleet.js';
import { formatDuration } from '../view-model/durations.js';
import type { ExportJson } from '../view-model/export-json.js';
import { html, type SafeHtml } from './html-template.js';

/** A page of thousands of rows helps nobody; the rest are on /metrics. */
export const MAX_SERVER_ROWS = 200;

const HEALTH_CLASS: Record<HealthState, string> = { OK: 'b-completed', Warning: 'b-stuck', Critical: 'b-failed', Unknown: 'b-unknown', other: 'b-unknown' };

function healthBadge(s: FleetServer): SafeHtml {
  const shown = s.server.health === 'other' ? s.server.rawHealth || 'other' : s.server.health;
  return html`<span class="badge ${HEALTH_CLASS[s.server.health]}">${shown}</span>`;
}

function ago(unixSeconds: number | undefined, nowSeconds: number): SafeHtml {
  if (unixSeconds === undefined) return html`<span class="muted">never</span>`;
  const iso = new Date(unixSeconds * 1000).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${formatDuration(nowSeconds - unixSeconds)} ago</time>`;
}

function accountLine(f: AccountFleet, nowSeconds: number): SafeHtml {
  const counts = new Map<HealthState, number>(HEALTH_STATES.map((h) => [h, 0]));
  for (const s of f.servers.values()) counts.set(s.server.health, counts.get(s.server.health)! + 1);
  const byHealth = HEALTH_STATES.filter((h) => counts.get(h)! > 0).map((h) => html`<span class="chip">${h} <b>${counts.get(h)}</b></span>`);
  return html`<li data-account="${f.account}"><b>${f.account}</b>: <b class="count">${f.servers.size}</b> servers ${byHealth} · last round ${f.lastRoundOk === undefined ? 'running' : f.lastRoundOk ? 'ok' : 'failed'}, last success ${ago(f.lastSuccessAt, nowSeconds)}</li>`;
}

function failingBanner(f: AccountFleet, nowSeconds: number): SafeHtml | string {
  if (f.lastRoundOk !== false) return '';
  return html`<p class="banner" role="alert" data-discovery-failing="${f.account}"><b>Server discovery failing for account ${f.account}</b> (${f.failuresInARow} round(s) in a row): ${f.lastError ?? ''}. Showing the last good answer, from ${ago(f.lastSuccessAt, nowSeconds)}.</p>`;
}

function alarmsCell(s: FleetServer): SafeHtml {
  const a = s.alarms;
  if (a === undefined) return html`<td class="muted">—</td>`;
  const parts = (['urgent', 'important', 'minor', 'info'] as const).filter((l) => a[l] > 0).map((l) => html`<span class="chip">${l} ${a[l]}</span>`);
  return parts.length === 0 ? html`<td class="muted">none</td>` : html`<td>${parts}</td>`;
}

function exportCell(e: ExportJson | undefined): SafeHtml {
  if (e === undefined) return html`<td class="muted">no export tracked</td>`;
  return html`<td><span class="id">${e.export_id}</span> ${e.name} <span class="badge b-${e.condition}">${e.condition.replace(/_/g, ' ')}</span></td>`;
}

/** The export of each server created last (or, without created_at, listed last). */
function latestExports(exports: readonly ExportJson[]): Map<string, ExportJson> {
  const out = new Map<string, ExportJson>();
  for (const e of exports) {
    const key = `${e.project_id}\u0000${e.server_id}`;
    const seen = out.get(key);
    if (seen === undefined || (e.created_at ?? '') >= (seen.created_at ?? '')) out.set(key, e);
  }
  return out;
}

const SEVERITY: Record<HealthState, number> = { Critical: 0, Warning: 1, other: 2, Unknown: 3, OK: 4 };

/** The fleet summary per account and every server that is not OK, worst first, with its latest export. */
export function fleetSection(fleets: readonly AccountFleet[] | undefined, exports: readonly ExportJson[], nowSeconds: number): SafeHtml | string {
  if (fleets === undefined || fleets.length === 0) return '';
  const latest = latestExports(exports);
  const troubled = fleets
    .flatMap((f) => [...f.servers.values()].filter((s) => s.server.health !== 'OK').map((s) => ({ account: f.account, s })))
    .sort((a, b) => SEVERITY[a.s.server.health] - SEVERITY[b.s.server.health] || a.s.server.name.localeCompare(b.s.server.name));
  const rows = troubled.slice(0, MAX_SERVER_ROWS).map(({ account, s }) => {
    const v = s.server;
    return html`<tr data-health="${v.health}" data-server-id="${v.id}">
<td><b>${v.name || '—'}</b>${s.missed > 0 ? html` <span class="muted">(missing from the last round)</span>` : ''}</td>
<td class="id" title="project ${v.projectId}">${v.id}</td><td>${account}</td><td>${healthBadge(s)}</td><td>${v.power}</td>
<td>${[v.dc, v.rack, v.unit && `U${v.unit}`].filter(Boolean).join(' / ') || '—'}</td>${alarmsCell(s)}${exportCell(latest.get(`${v.projectId}\u0000${v.id}`))}</tr>`;
  });
  const more =
    troubled.length > MAX_SERVER_ROWS
      ? html`<p class="muted">… and ${troubled.length - MAX_SERVER_ROWS} more (see clouddc_server_health_state on /metrics).</p>`
      : '';
  const table =
    troubled.length === 0
      ? html`<p class="muted" data-all-ok="1">Every discovered server is OK.</p>`
      : html`<div class="scroll"><table>
<thead><tr><th>Server</th><th>Server id</th><th>Account</th><th>Health</th><th>Power</th><th>Location</th><th>Active alarms</th><th>Latest export</th></tr></thead>
<tbody>${rows}</tbody></table></div>${more}`;
  return html`<h2>Servers</h2>
${fleets.map((f) => failingBanner(f, nowSeconds))}
<ul class="summary fleet">${fleets.map((f) => accountLine(f, nowSeconds))}</ul>
${table}`;
}
