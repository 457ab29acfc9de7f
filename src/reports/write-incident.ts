import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Redactor } from '../config/redact.js'
import type { Store } from '../engine/store.js'
import { runDir } from '../engine/evidence.js'
import { renderIncident } from './incident.js'
import { renderIncidentHtml } from './incident-html.js'

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
  await writeFile(path.join(dir, 'incident.html'), renderIncidentHtml(redacted), { mode: 0o600 })
  return file
}
