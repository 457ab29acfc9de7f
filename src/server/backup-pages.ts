import type { BackupEntry } from '../app/backups.js'
import { formatDuration } from '../config/duration.js'
import { mb } from '../shared/format.js'
import { escapeHtml } from '../shared/html.js'
import { page } from './page-frame.js'

export interface EnvironmentBackups {
  environment: string
  dir: string | null
  backups: BackupEntry[]
  maxAgeMs: number | null
  /** Why the catalog could not be read here. */
  problem: string | null
}

/** Each environment's backup catalog: size, verification, age (red past backups.maxAge), and the restore command to copy. */
export function renderBackupsPage(catalogs: EnvironmentBackups[]): string {
  const sections = catalogs.map((c) => {
    const rows = c.backups.map((b) => {
      const old = c.maxAgeMs !== null && b.ageMs > c.maxAgeMs
      const verified = b.status === 'verified' ? `<span class="good">verified (${escapeHtml(b.verified ?? '')})</span>` : `<span class="${b.status === 'invalid' ? 'bad' : 's-warning'}">${escapeHtml(b.status)}</span>${b.problems.length ? `<br>${escapeHtml(b.problems.join('; '))}` : ''}`
      return `<tr><td>${escapeHtml(b.id)}</td><td>${escapeHtml(b.database)}</td><td>${escapeHtml(b.createdAt)}</td><td>${escapeHtml(mb(b.sizeBytes))}</td>`
        + `<td>${verified}</td><td class="${old ? 'bad' : ''}">${escapeHtml(formatDuration(b.ageMs))}${old ? ' (past maxAge)' : ''}</td><td>${b.encrypted ? 'yes' : 'no'}</td>`
        + `<td><code>rollout restore ${escapeHtml(c.environment)} ${escapeHtml(b.id)}</code></td></tr>`
    })
    const where = c.problem ? `<p class="bad">${escapeHtml(c.problem)}</p>` : `<p>${escapeHtml(c.dir ?? '')}${c.maxAgeMs !== null ? ` · maxAge ${escapeHtml(formatDuration(c.maxAgeMs))}` : ''}</p>`
    return `<h2>${escapeHtml(c.environment)}</h2>
${where}
<table><thead><tr><th>backup</th><th>database</th><th>taken (UTC)</th><th>size</th><th>verification</th><th>age</th><th>encrypted</th><th>restore</th></tr></thead>
<tbody>
${rows.join('\n') || '<tr><td colspan="8">no backups</td></tr>'}
</tbody></table>`
  })
  return page('backups', `<h1>Backups</h1>\n${sections.join('\n')}\n<p>The same as JSON: <code>/api/backups/&lt;environment&gt;</code></p>`)
}
