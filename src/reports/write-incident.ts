import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Redactor } from '../config/redact.js'
import type { Store } from '../engine/store.js'
import { runDir } from '../engine/evidence.js'
import { renderIncident } from './incident.js'
import { renderIncidentHtml, type ImageData } from './incident-html.js'

/** Writes `incident.md` (and the same as `incident.html`) into the run's folder from the record; returns its path. */
export async function writeIncidentReport(store: Store, stateDir: string, runId: string, redactor: Redactor, contacts?: Record<string, string | undefined>): Promise<string> {
  const run = await store.getRun(runId)
  if (!run) throw new Error(`run ${runId} is not in the record`)
  const markdown = renderIncident({ run, steps: await store.getSteps(runId), events: await store.getEvents(runId), contacts })
  const dir = runDir(stateDir, runId)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, 'incident.md')
  const redacted = redactor.redact(markdown)
  await writeFile(file, redacted, { mode: 0o600 })
  await writeFile(path.join(dir, 'incident.html'), renderIncidentHtml(redacted, await screenshots(dir, redacted)), { mode: 0o600 })
  return file
}

/** Larger pictures stay links: the page is meant to open quickly and travel as an attachment. */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024
const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' }

/** The report's pictures (evidence inside the run's folder), read once, as data: URLs for the HTML page. */
async function screenshots(dir: string, markdown: string): Promise<ImageData> {
  const found = new Map<string, string>()
  for (const [, src] of markdown.matchAll(/^!\[[^\]]*\]\(([^)\s]+)\)$/gm)) {
    const file = path.resolve(dir, src!)
    const type = TYPES[path.extname(file).toLowerCase()]
    if (!type || !file.startsWith(`${dir}${path.sep}`)) continue
    const info = await stat(file).catch(() => null)
    if (!info?.isFile() || info.size > MAX_IMAGE_BYTES) continue
    found.set(src!, `data:${type};base64,${(await readFile(file)).toString('base64')}`)
  }
  return (src) => found.get(src)
}
