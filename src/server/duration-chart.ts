import type { RunSummary } from '../app/history.js'
import { formatDuration } from '../config/duration.js'
import { escapeHtml } from '../shared/html.js'

const COLOURS: Record<string, string> = { passed: '#2e7d32', 'rolled-back': '#b26a00' }
const OTHER = '#c62828'
const WIDTH = 600
const HEIGHT = 120

/**
 * The durations of an environment's last finished runs, oldest on the left, as an inline SVG (no
 * script): passed runs green, rolled-back ones amber, the rest red; each bar names its run.
 */
export function durationChart(runs: RunSummary[], last = 30): string {
  const finished = runs.filter((r) => r.finishedAt).slice(0, last).reverse()
  if (!finished.length) return '<p>No finished run to chart yet.</p>'
  const took = finished.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.startedAt))
  const longest = Math.max(1, ...took)
  // A few runs keep narrow bars: a single run is not a wall of colour.
  const slot = Math.min(40, WIDTH / finished.length)
  const bars = finished.map((r, i) => {
    const h = Math.max(2, (took[i]! / longest) * (HEIGHT - 20))
    const colour = COLOURS[r.status] ?? OTHER
    return `<rect x="${(i * slot + 2).toFixed(1)}" y="${(HEIGHT - h).toFixed(1)}" width="${Math.max(2, slot - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}" data-status="${escapeHtml(r.status)}"><title>${escapeHtml(r.id)}: ${escapeHtml(r.status)}, ${escapeHtml(formatDuration(took[i]!))}</title></rect>`
  })
  return `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="duration of the last ${finished.length} runs">
<text x="0" y="12" font-size="11" fill="#555">${escapeHtml(formatDuration(longest))}</text>
${bars.join('\n')}
</svg><figcaption>Duration of the last ${finished.length} finished run(s), oldest first: <span class="good">■ passed</span> <span class="s-warning">■ rolled back</span> <span class="bad">■ failed, cancelled or not rolled back</span></figcaption></figure>`
}
