import type { AutoCollectView } from '../domain/auto-collect.js';
import { formatDuration } from '../view-model/durations.js';
import { html, type SafeHtml } from './html-template.js';

const RESULT_CLASS: Record<string, string> = {
  started: 'b-completed',
  downloaded: 'b-completed',
  dry_run: 'b-unknown',
  cooldown: 'b-unknown',
  budget: 'b-stuck',
  failed: 'b-failed',
  download_failed: 'b-failed',
};

/** "Automatic log collection": its settings in one line and its latest decisions, newest first. */
export function autoCollectSection(view: AutoCollectView | undefined, nowSeconds: number): SafeHtml | string {
  if (view === undefined) return '';
  const mode = view.dryRun ? html`<b>dry run</b>: decides and counts, starts nothing` : html`<b>on</b>: starts exports`;
  const download = view.downloadDir === undefined ? '' : html` · bundles to <span class="id">${view.downloadDir}</span>`;
  const rows =
    view.recent.length === 0
      ? html`<tr><td colspan="6" class="muted">No decision yet.</td></tr>`
      : view.recent.map(
          (d) =>
            html`<tr data-auto-result="${d.result}"><td>${formatDuration(Math.max(0, nowSeconds - d.at))} ago</td><td>${d.serverName || d.serverId}<div class="muted id">${d.serverId}</div></td><td>${d.account}</td><td>${d.trigger}</td><td><span class="badge ${RESULT_CLASS[d.result] ?? 'b-unknown'}">${d.result.replace(/_/g, ' ')}</span></td><td class="id">${d.exportId ?? ''}${d.detail === undefined ? '' : html`<div class="muted">${d.detail}</div>`}</td></tr>`,
        );
  return html`<h2>Automatic log collection</h2>
<p data-auto-collect="${view.dryRun ? 'dry_run' : 'on'}">${mode} · at most one export per server per ${formatDuration(view.cooldownSeconds)} · at most ${Math.floor(view.maxPerHour * 100) / 100} per hour and account${download}</p>
<div class="scroll"><table>
<thead><tr><th>When</th><th>Server</th><th>Account</th><th>Trigger</th><th>Result</th><th>Export</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
