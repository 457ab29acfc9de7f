import type { EnvironmentOverview } from '../app/overview.js'
import { formatDuration } from '../config/duration.js'
import { escapeHtml } from '../shared/html.js'

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1d2329}table{border-collapse:collapse}th,td{border:1px solid #e3e6ea;padding:4px 10px;text-align:left}.bad{color:#c62828}.good{color:#2e7d32}'

/** The first page: each environment, its live release, last run, lock and newest verified backup. */
export function renderEnvironmentsPage(environments: EnvironmentOverview[]): string {
  const rows = environments.map((e) => {
    const run = e.lastRun ? `${escapeHtml(e.lastRun.status)} · ${escapeHtml(e.lastRun.id)}${e.lastRun.release ? ` · ${escapeHtml(e.lastRun.release)}` : ''}` : 'no run yet'
    const lock = e.lock ? `${escapeHtml(e.lock.owner.runId)} (${escapeHtml(e.lock.owner.user)}@${escapeHtml(e.lock.owner.host)})${e.lock.stale ? ' <span class="bad">holder gone</span>' : ''}` : 'free'
    const backup = e.newestVerifiedBackup ? `${escapeHtml(e.newestVerifiedBackup.id)}, ${escapeHtml(formatDuration(e.newestVerifiedBackup.ageMs))} old` : 'none verified'
    return `<tr><td><strong>${escapeHtml(e.name)}</strong>${e.url ? `<br>${escapeHtml(e.url)}` : ''}${e.problem ? `<br><span class="bad">${escapeHtml(e.problem)}</span>` : ''}</td>`
      + `<td>${escapeHtml(e.liveRelease ?? '—')}</td><td>${run}</td><td>${lock}</td><td class="${e.backupTooOld ? 'bad' : 'good'}">${backup}</td></tr>`
  })
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rollout: environments</title><style>${STYLE}</style></head>
<body><h1>Environments</h1>
<table><thead><tr><th>environment</th><th>live release</th><th>last run</th><th>lock</th><th>newest verified backup</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p>The same as JSON: <a href="/api/environments">/api/environments</a></p>
</body></html>
`
}
