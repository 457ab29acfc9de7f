import type { RolloutEvent } from '../engine/events.js'
import type { RunRecord, StepRecord } from '../engine/store.js'
import { formatDuration } from '../config/duration.js'
import { dataLossSection } from './data-loss.js'
import { cell, clock, code } from './incident-format.js'
import { environmentStateSection, followUpSection } from './incident-state.js'
import { rollbackProof } from '../engine/rollback-proof.js'

export interface IncidentInput {
  run: RunRecord
  steps: StepRecord[]
  events: RolloutEvent[]
  contacts?: Record<string, string | undefined>
}

const STATE_WORDS: Record<string, string> = {
  failed: 'Stopped before the point of no return: the environment was not changed.',
  'rolled-back': 'Rolled back: the changes were undone and the rollback was verified.',
  'rollback-failed': 'ROLLBACK INCOMPLETE: the environment may be half-changed. Manual action is needed (see below).',
  cancelled: 'Cancelled by the operator.',
  running: 'The run was interrupted and has not finished.',
  'rolling-back': 'The rollback was interrupted and has not finished.',
  abandoned: 'Abandoned: its process was gone and a newer run changed the environment since.',
}

const UNVERIFIED_ROLLBACK = 'Rolled back, NOT verified: the changes were undone, but no smoke test ran and passed against what was put back.'

/** The incident report as Markdown, from the run record alone. Pure. */
/** Evidence the report shows as a picture. */
export const IMAGE = /\.(png|jpe?g|webp)$/i

export function renderIncident({ run, steps, events, contacts }: IncidentInput): string {
  const runSteps = steps.filter((s) => s.pass === 'run')
  const proofSteps = steps.filter((s) => s.pass === 'proof')
  // A step that failed and was then undone carries its undo's status (rolled-back, rollback-failed):
  // how it ended is in its last step-finished event, so a failed migration is still named as the failure.
  const ended = new Map(events.flatMap((e) => (e.type === 'step-finished' && e.pass === 'run' ? [[e.stepId, e.status] as const] : [])))
  const endedFailed = (s: StepRecord) => ended.get(s.stepId) === 'failed' || ended.get(s.stepId) === 'cancelled'
  const failed = runSteps.filter((s) => s.status === 'failed' || s.status === 'cancelled' || (s.undoStatus === null && s.status === 'rollback-failed') || endedFailed(s))
  const undone = runSteps.filter((s) => s.undoStatus !== null).sort((a, b) => b.seq - a.seq)
  const lines: string[] = []
  lines.push(`# Incident report: ${run.environment} rollout ${run.id}`, '')
  lines.push(`- **Outcome:** ${run.status} — ${run.status === 'rolled-back' && !rollbackProof(steps).verified ? UNVERIFIED_ROLLBACK : (STATE_WORDS[run.status] ?? '')}`)
  lines.push(`- **Started:** ${run.startedAt} by ${run.user}@${run.host}`)
  if (run.finishedAt) lines.push(`- **Finished:** ${run.finishedAt}`)
  if (run.release) lines.push(`- **Release:** ${run.release}`)
  lines.push(`- **Point of no return:** ${run.crossedAt ? `crossed at step \`${run.crossedAt}\`` : 'not reached (nothing was changed)'}`)
  if (run.summary) lines.push(`- **Summary:** ${run.summary}`)
  lines.push('')

  lines.push('## What failed', '')
  if (failed.length === 0) lines.push('No step failed; see the timeline.', '')
  for (const s of failed) {
    lines.push(`### \`${s.stepId}\` — ${s.title}`, '', `${endedFailed(s) ? ended.get(s.stepId) : s.status}: ${s.summary ?? ''}`, '')
    const tail = s.output.trim().split('\n').slice(-20).join('\n')
    if (tail) lines.push('```', tail, '```', '')
    // A screenshot of the failure is shown where the failure is told, not only linked.
    for (const e of s.evidence.filter((x) => IMAGE.test(x.path))) lines.push(`![${e.label}](${e.path})`, '')
    for (const e of s.evidence) lines.push(`- evidence: [${e.label}](${e.path})`)
    if (s.evidence.length) lines.push('')
  }

  lines.push(...stepsSection(steps))

  lines.push('## Rollback', '')
  if (!run.crossedAt) lines.push('Not needed: the run stopped before changing anything.')
  else if (undone.length === 0) lines.push('No step was undone.')
  else {
    const took = rollbackSpan(events)
    if (took) lines.push(took, '')
    lines.push('| step | result | took | detail |', '|---|---|---|---|')
    for (const s of undone) lines.push(`| ${code(s.stepId)} | ${s.undoStatus} | ${s.undoDurationMs === null ? '' : formatDuration(s.undoDurationMs)} | ${cell(s.undoSummary)} |`)
  }
  if (proofSteps.length) {
    lines.push('', '**Verification after the rollback:**', '')
    for (const s of proofSteps) lines.push(`- ${code(s.stepId)} ${s.status}${s.durationMs === null ? '' : ` in ${formatDuration(s.durationMs)}`}: ${s.summary ?? ''}`)
  }
  lines.push('')
  lines.push(...environmentStateSection(run, steps))
  lines.push(...dataLossSection(run, steps))
  lines.push(...followUpSection(run, steps))

  lines.push('## Timeline', '', '| time (UTC) | event |', '|---|---|')
  for (const e of events) {
    const text = describeEvent(e)
    if (text) lines.push(`| ${clock(e.at)} | ${cell(text)} |`)
  }
  lines.push('')

  lines.push('## Contacts', '')
  const people = Object.entries(contacts ?? {}).filter(([, v]) => v)
  const names: Record<string, string> = { onCall: 'On-call engineer', database: 'Database team', escalation: 'Escalation', deployer: 'Deployer' }
  for (const [k, v] of people) lines.push(`- ${names[k] ?? k}: ${v}`)
  if (!people.length) lines.push('None configured: add `contacts` (onCall, database, escalation) to the config to have them named here.')
  lines.push('')
  return lines.join('\n')
}

/** Every step of the run with its start time and duration, the rollback's re-runs after them. */
function stepsSection(steps: readonly StepRecord[]): string[] {
  const ordered = [...steps.filter((s) => s.pass === 'run'), ...steps.filter((s) => s.pass === 'proof')]
  const lines = ['## Steps', '', '| step | phase | started (UTC) | took | result |', '|---|---|---|---|---|']
  for (const s of ordered) {
    const name = `${s.pass === 'proof' ? 'rollback check: ' : ''}${code(s.stepId)}`
    lines.push(`| ${name} | ${s.phase} | ${clock(s.startedAt)} | ${s.durationMs === null ? '—' : formatDuration(s.durationMs)} | ${cell(`${s.status}${s.summary ? `: ${s.summary}` : ''}`)} |`)
  }
  lines.push('')
  return lines
}

/** How long the whole rollback took, undo and proof together, from its events. */
function rollbackSpan(events: readonly RolloutEvent[]): string | null {
  const start = events.find((e) => e.type === 'rollback-started')
  const end = [...events].reverse().find((e) => e.type === 'rollback-finished')
  if (!start || !end || end.at < start.at) return null
  return `The rollback took ${formatDuration(Date.parse(end.at) - Date.parse(start.at))} in all (${clock(start.at)} → ${clock(end.at)}), undo and verification together:`
}

function describeEvent(e: RolloutEvent): string | null {
  switch (e.type) {
    case 'run-started': return e.resumed ? 'run resumed' : 'run started'
    case 'lock-taken-over': return `lock taken over from run ${e.previous.runId}: ${e.reason}`
    case 'step-started': return `${e.pass === 'proof' ? 'rollback check: ' : ''}\`${e.stepId}\` started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`
    case 'step-finished': return `${e.pass === 'proof' ? 'rollback check: ' : ''}\`${e.stepId}\` ${e.status} after ${formatDuration(e.durationMs)}: ${e.summary}`
    case 'step-skipped': return `\`${e.stepId}\` skipped: ${e.reason}`
    case 'point-of-no-return': return `point of no return: \`${e.stepId}\``
    case 'rollback-started': return `rollback started: ${e.reason}`
    case 'undo-finished': return `undo \`${e.stepId}\` ${e.status}: ${e.summary}`
    case 'rollback-finished': return `rollback ${e.status}: ${e.summary}`
    case 'run-finished': return `run ${e.status}`
    default: return null
  }
}
