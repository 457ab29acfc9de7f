import type { RunDetail, RunSummary } from '../app/history.js'
import { formatDuration } from '../config/duration.js'
import { escapeHtml } from '../shared/html.js'
import { page } from './page-frame.js'
import { durationChart } from './duration-chart.js'

const IMAGE = /\.(png|jpe?g|webp)$/i

/** The runs page's filters: each narrows the list (and the chart) to the runs that match. */
export interface RunFilters {
  environment: string
  status?: string
  user?: string
  release?: string
}

export function filterRuns<T extends RunSummary>(runs: T[], f: Omit<RunFilters, 'environment'>): T[] {
  return runs.filter((r) => (!f.status || r.status === f.status) && (!f.user || r.user === f.user) && (!f.release || r.release === f.release))
}

/** An environment's runs, newest first, each linking to its page, with the filters and the duration chart. */
export function renderRunsPage(filters: RunFilters, runs: RunSummary[]): string {
  const rows = runs.map((r) => {
    const took = r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '—'
    return `<tr><td><a href="/runs/${encodeURIComponent(r.id)}">${escapeHtml(r.id)}</a></td><td class="s-${escapeHtml(r.status)}">${escapeHtml(r.status)}</td>`
      + `<td>${escapeHtml(r.release ?? '—')}</td><td>${escapeHtml(r.user)}@${escapeHtml(r.host)}</td><td>${escapeHtml(took)}</td><td>${escapeHtml(r.summary ?? '')}</td></tr>`
  })
  const narrowed = [filters.status, filters.user && `by ${filters.user}`, filters.release && `release ${filters.release}`].filter(Boolean).join(', ')
  const title = `Runs of ${filters.environment}${narrowed ? ` (${narrowed})` : ''}`
  const field = (name: keyof RunFilters, label: string) => `<label>${label} <input name="${name}" value="${escapeHtml(filters[name] ?? '')}" size="12"></label>`
  return page(title, `<h1>${escapeHtml(title)}</h1>
<form class="filters" method="get" action="/runs"><input type="hidden" name="environment" value="${escapeHtml(filters.environment)}">
${field('status', 'outcome')}${field('user', 'who')}${field('release', 'release')}<button>filter</button></form>
${durationChart(runs)}
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
export function renderRunPage(detail: RunDetail, nonce?: string): string {
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
    const retried = s.attempt > 1 ? ` <span class="s-warning">(attempt ${s.attempt})</span>` : ''
    const crossed = run.crossedAt === s.stepId && s.pass === 'run' ? ' <strong class="ponr">▶ point of no return</strong>' : ''
    const undo = s.undoStatus ? `<br>undo: <span class="s-${escapeHtml(s.undoStatus)}">${escapeHtml(s.undoStatus)}</span> ${escapeHtml(s.undoSummary ?? '')}` : ''
    // A failed step's first screenshots are shown on the page; further ones (a browser step may
    // take one per flow and retry) are links, so that the timeline stays readable.
    let shown = 0
    const files = s.evidence.map((e) => {
      const href = `/api/runs/${encodeURIComponent(run.id)}/files/${e.path.split('/').map(encodeURIComponent).join('/')}`
      return IMAGE.test(e.path) && (s.status === 'failed' || s.status === 'cancelled') && shown++ < INLINE_SCREENSHOTS
        ? `<figure><img src="${escapeHtml(href)}" alt="${escapeHtml(e.label)}"><figcaption>${escapeHtml(e.label)}</figcaption></figure>`
        : `<a href="${escapeHtml(href)}">${escapeHtml(e.label)}</a>`
    })
    return `<tr><td>${escapeHtml(s.phase)}</td><td>${escapeHtml(s.title)}${pass}${retried}${crossed}</td><td class="s-${escapeHtml(s.status)}">${escapeHtml(s.status)}</td>`
      + `<td class="track">${bar}</td><td>${escapeHtml(s.summary ?? '')}${undo}${files.length ? `<br>${files.join(' · ')}` : ''}</td></tr>`
  })
  // Written when the run ends: no link while it is still going, rollback included.
  const report = run.status === 'passed' || GOING.has(run.status) ? '' : `<p><a href="/api/runs/${encodeURIComponent(run.id)}/files/incident.html">Incident report</a></p>`
  const going = GOING.has(run.status) && !detail.interrupted
  const live = going ? '<p class="live">● live: this page follows the run as it goes</p>' : ''
  // A run that changed the environment and is not already undone may be rolled back from here.
  const action = !going && run.crossedAt && run.status !== 'rolled-back' ? `<p><a href="/runs/${encodeURIComponent(run.id)}/rollback">Roll back this run…</a></p>` : ''
  const script = going && nonce ? { nonce, code: followScript(run.id) } : undefined
  return page(`Run ${run.id}`, `<h1>Run ${escapeHtml(run.id)} · ${escapeHtml(run.environment)}</h1>
${live}${action}
<p class="s-${escapeHtml(run.status)}"><strong>${escapeHtml(run.status)}</strong>${run.release ? ` · release ${escapeHtml(run.release)}` : ''} · ${escapeHtml(run.summary ?? '')}</p>
${report}
<table class="timeline"><thead><tr><th>phase</th><th>step</th><th>result</th><th>when (${escapeHtml(formatDuration(span))} in all)</th><th>detail</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`, script)
}

const GOING = new Set(['running', 'rolling-back'])
const INLINE_SCREENSHOTS = 2

/** The events that change what the run page shows: on each, the page's main part is fetched again. */
const PAGE_EVENTS = ['step-started', 'step-finished', 'step-skipped', 'step-retrying', 'point-of-no-return', 'rollback-started', 'undo-started', 'undo-finished', 'rollback-finished', 'run-finished']

/**
 * The run page's only script: it follows the run's event stream and swaps in the page as it is
 * now (the same server-rendered HTML), a moment after each change; it stops when the stream ends.
 */
function followScript(runId: string): string {
  return `(() => {
const events = new EventSource('/api/runs/${encodeURIComponent(runId)}/events');
let timer;
const refresh = () => { clearTimeout(timer); timer = setTimeout(async () => {
  const html = await (await fetch(location.href, { cache: 'no-store' })).text();
  const next = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
  if (next) document.querySelector('main').replaceWith(next);
}, 150); };
for (const type of ${JSON.stringify(PAGE_EVENTS)}) events.addEventListener(type, refresh);
events.addEventListener('end', () => { events.close(); refresh(); });
})();`
}
