import { formatDuration, secondsSince } from '../view-model/durations.js';
import type { ExportJson } from '../view-model/export-json.js';
import { html, type SafeHtml } from './html-template.js';
import type { AccountView } from './view.js';

/** Conditions that mean "look at this account": the export is lost or its polls fail. */
const FAILING = new Set(['failed', 'poll_failing']);

/**
 * One line per account above the table: its exports, how many fail, whether it is paused and why (so that a paused
 * account shows without reading every row's last error), and where its credentials come from.
 */
export function accountSummary(rows: readonly ExportJson[], accounts: readonly AccountView[], nowSeconds: number): SafeHtml | string {
  const names = [...new Set([...accounts.map((a) => a.name), ...rows.map((r) => r.account)])];
  if (names.length === 0) return '';
  const items = names.map((name) => {
    const mine = rows.filter((r) => r.account === name);
    const failing = mine.filter((r) => FAILING.has(r.condition)).length;
    const view = accounts.find((a) => a.name === name);
    const paused = view?.paused ?? null;
    const source = view === undefined ? '' : html` · <span class="muted" data-source>signs in with ${view.source}</span>`;
    const left = paused === null ? undefined : secondsSince(paused.until, nowSeconds);
    const state =
      paused === null
        ? html`<span class="muted">not paused</span>`
        : html`<span class="paused" title="${paused.reason}">paused for ${formatDuration(-(left ?? 0))} more (until <time datetime="${paused.until}">${paused.until}</time>): ${paused.reason}</span>`;
    return html`<li data-account="${name}" data-failing="${failing}" data-paused="${paused === null ? '0' : '1'}"><b>${name}</b>: ${mine.length} ${mine.length === 1 ? 'export' : 'exports'} · <span class="${failing > 0 ? 'failing' : 'muted'}">${failing} failing</span> · ${state}${source}</li>`;
  });
  return html`<ul class="accounts">${items}</ul>`;
}
