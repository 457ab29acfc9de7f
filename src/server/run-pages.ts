import type { RunDetail, RunSummary } from '../app/history.js'
import { formatDuration } from '../config/duration.js'
import { escapeHtml } from '../shared/html.js'
import { page } from './page-frame.js'

const IMAGE = /\.(png|jpe?g|webp)$/i

/** An environment's runs, newest first, each linking to its page. */
export function renderRunsPage(environment: string, runs: RunSummary[], status: string | undefined): string {
  const rows = runs.map((r) => {
    const took = r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '—'
    return `<tr><td><a href="/runs/${encodeURIComponent(r.id)}">${escapeHtml(r.id)}</a></td><td class="s-${escapeHtml(r.status)}">${escapeHtml(r.status)}</td>`
      + `<td>${escapeHtml(r.release ?? '—')}</td><td>${escapeHtml(r.user)}@${escapeHtml(r.host)}</td><td>${escapeHtml(took)}</td><td>${escapeHtml(r.summary ?? '')}</td></tr>`
  })
  const title = `Runs of ${environment}${status ? ` (${status})` : ''}`
  return page(title, `<h1>${escapeHtml(title)}</h1>
<table><thead><tr><th>run</th><th>outcome</th><th>release</th><th>by</th><th>took</th><th>summary</th></tr></thead>
<tbody>
${rows.join('\n') || '<tr><td colspan="6">no runs recorded</td></tr>'}
</tbody></table>`)
}

/**
 * One run as a timeline: each step a bar placed by its recorded start and end (steps of a phase
 * that ran at once overlap), the point of no return marked, the rollback's undos and the proof
 * pass after them; a failed step's screenshots shown where it failed.
 */
export function renderRunPage(detail: RunDetail): string {
  const { run, steps } = detail
  const start = Date.parse(run.startedAt)
  const end = Math.max(start + 1, ...steps.map((s) => Date.parse(s.finishedAt ?? s.startedAt ?? run.startedAt)), Date.parse(run.finishedAt ?? run.startedAt))
  const span = end - start
  const ordered = [...steps].sort((a, b) => a.seq - b.seq)
  const rows = ordered.map((s) => {
    const from = s.startedAt ? Date.parse(s.startedAt) : null
    const to = s.finishedAt ? Date.parse(s.finishedAt) : from
    const bar = from === null ? '' : `<div class="bar s-${escapeHtml(s.status)}" style="margin-left:${(((from - start) / span) * 100).toFixed(2)}%;width:${Math.max(0.5, (((to ?? from) - from) / span) * 100).toFixed(2)}%"></div>`
    const pass = s.pass === 'proof' ? ' <em>(proof of the rollback)</em>' : ''
    const crossed = run.crossedAt === s.stepId && s.pass === 'run' ? ' <strong class="ponr">▶ point of no return</strong>' : ''
    const undo = s.undoStatus ? `<br>undo: <span class="s-${escapeHtml(s.undoStatus)}">${escapeHtml(s.undoStatus)}</span> ${escapeHtml(s.undoSummary ?? '')}` : ''
    const files = s.evidence.map((e) => {
      const href = `/api/runs/${encodeURIComponent(run.id)}/files/${e.path.split('/').map(encodeURIComponent).join('/')}`
      return IMAGE.test(e.path) && (s.status === 'failed' || s.status === 'cancelled')
        ? `<figure><img src="${escapeHtml(href)}" alt="${escapeHtml(e.label)}"><figcaption>${escapeHtml(e.label)}</figcaption></figure>`
        : `<a href="${escapeHtml(href)}">${escapeHtml(e.label)}</a>`
    })
    return `<tr><td>${escapeHtml(s.phase)}</td><td>${escapeHtml(s.title)}${pass}${crossed}</td><td class="s-${escapeHtml(s.status)}">${escapeHtml(s.status)}</td>`
      + `<td class="track">${bar}</td><td>${escapeHtml(s.summary ?? '')}${undo}${files.length ? `<br>${files.join(' · ')}` : ''}</td></tr>`
  })
  const report = run.status === 'passed' || run.status === 'running' ? '' : `<p><a href="/api/runs/${encodeURIComponent(run.id)}/files/incident.html">Incident report</a></p>`
  return page(`Run ${run.id}`, `<h1>Run ${escapeHtml(run.id)} · ${escapeHtml(run.environment)}</h1>
<p class="s-${escapeHtml(run.status)}"><strong>${escapeHtml(run.status)}</strong>${run.release ? ` · release ${escapeHtml(run.release)}` : ''} · ${escapeHtml(run.summary ?? '')}</p>
${report}
<table class="timeline"><thead><tr><th>phase</th><th>step</th><th>result</th><th>when (${escapeHtml(formatDuration(span))} in all)</th><th>detail</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`)
}
