import type { EnvironmentOverview } from '../app/overview.js'
import { formatDuration } from '../config/duration.js'
import { escapeHtml } from '../shared/html.js'
import { page } from './page-frame.js'

/** The first page: each environment, its live release, last run, lock and newest verified backup. */
export function renderEnvironmentsPage(environments: EnvironmentOverview[]): string {
  const rows = environments.map((e) => {
    const run = e.lastRun ? `${escapeHtml(e.lastRun.status)} · <a href="/runs/${encodeURIComponent(e.lastRun.id)}">${escapeHtml(e.lastRun.id)}</a>${e.lastRun.release ? ` · ${escapeHtml(e.lastRun.release)}` : ''}` : 'no run yet'
    const lock = e.lock ? `${escapeHtml(e.lock.owner.runId)} (${escapeHtml(e.lock.owner.user)}@${escapeHtml(e.lock.owner.host)})${e.lock.stale ? ` <span class="bad">holder gone</span> <a href="/environments/${encodeURIComponent(e.name)}/unlock">unlock…</a>` : ''}` : 'free'
    const backup = e.newestVerifiedBackup ? `${escapeHtml(e.newestVerifiedBackup.id)}, ${escapeHtml(formatDuration(e.newestVerifiedBackup.ageMs))} old` : 'none verified'
    return `<tr><td><strong>${escapeHtml(e.name)}</strong> <a href="/runs?environment=${encodeURIComponent(e.name)}">runs</a> <a href="/environments/${encodeURIComponent(e.name)}/run">start a run…</a>${e.url ? `<br>${escapeHtml(e.url)}` : ''}${e.problem ? `<br><span class="bad">${escapeHtml(e.problem)}</span>` : ''}</td>`
      + `<td>${escapeHtml(e.liveRelease ?? '—')}</td><td>${run}</td><td>${lock}</td><td class="${e.backupTooOld ? 'bad' : 'good'}">${backup}</td></tr>`
  })
  return page('environments', `<h1>Environments</h1>
<table><thead><tr><th>environment</th><th>live release</th><th>last run</th><th>lock</th><th>newest verified backup</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p>The same as JSON: <a href="/api/environments">/api/environments</a></p>`)
}
