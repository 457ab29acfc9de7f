import type { RunRecord, StepRecord } from '../../engine/store.js'
import { formatDuration } from '../../config/duration.js'
import { cell as tableCell, code } from '../../reports/incident-format.js'
import { environmentStateSection } from '../../reports/incident-state.js'
import { EXIT_MEANING } from '../exit-codes.js'

export interface JobSummaryInput {
  /** The command that ended the run: run, check, resume or rollback. */
  command: string
  run: RunRecord
  steps: StepRecord[]
  exitCode: number
  /** The run's folder as the workflow sees it, relative to the workspace when inside it. */
  runFolder: string
  /** Files in the run's folder besides the steps' evidence (the incident report), relative to it. */
  reports: string[]
  /** The workflow run's page, where the uploaded artifacts are listed; null outside a workflow. */
  workflowRunUrl: string | null
}

/** Text for a table cell; `<` and `&` as entities, since the summary's Markdown also renders HTML. */
function cell(text: string | null | undefined): string {
  return tableCell(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A step's id, and its title when it says more. */
function stepName(id: string, title: string): string {
  return title && title !== id ? `${code(id)} ${cell(title)}` : code(id)
}

const HEADLINE: Record<string, string> = {
  passed: '✅ passed',
  failed: '❌ failed, nothing changed',
  'rolled-back': '↩️ failed and rolled back',
  'rollback-failed': '🛑 failed, rollback INCOMPLETE',
  cancelled: '⏹️ cancelled',
  running: '⏳ still running',
  'rolling-back': '⏳ rolling back',
  abandoned: '⊘ abandoned',
}

const SYMBOL: Record<string, string> = {
  passed: '✅', failed: '❌', warning: '⚠️', skipped: '➖', cancelled: '⏹️', 'rolled-back': '↩️', 'rollback-failed': '🛑', 'rolling-back': '⏳', running: '⏳', pending: '⏳',
}

/**
 * The GitHub Actions job summary of one run, in Markdown, from its record: what ran, how it ended and
 * what the exit code means, the rollback and its proof, and where the evidence is. Pure.
 */
export function renderJobSummary(input: JobSummaryInput): string {
  const { run, steps } = input
  const took = run.finishedAt ? formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : '—'
  const out: string[] = []
  out.push(`## Rollout ${cell(run.environment)}: ${HEADLINE[run.status] ?? run.status}`, '')
  out.push('| | |', '|---|---|')
  out.push(`| Environment | ${code(run.environment)} |`)
  out.push(`| Release | ${run.release ? code(run.release) : 'none named'} |`)
  out.push(`| Run | ${code(run.id)} (\`rollout ${input.command}\`), started ${run.startedAt.replace('T', ' ').slice(0, 19)} UTC by ${cell(`${run.user}@${run.host}`)}, took ${took} |`)
  out.push(`| Outcome | **${run.status}**: ${cell(run.summary ?? '')} |`)
  out.push(`| Exit code | **${input.exitCode}**: ${cell(EXIT_MEANING[input.exitCode] ?? 'unknown')} |`)
  out.push('')

  out.push('### Steps', '')
  out.push('| | Step | Phase | Status | Duration | Summary |', '|---|---|---|---|---|---|')
  const recorded = new Set(steps.filter((s) => s.pass === 'run').map((s) => s.stepId))
  const ordered = [...steps].sort((a, b) => (a.pass === b.pass ? a.seq - b.seq : a.pass === 'run' ? -1 : 1))
  for (const s of ordered) {
    const name = `${s.pass === 'proof' ? 'rollback check: ' : ''}${stepName(s.stepId, s.title)}`
    const undo = s.undoStatus && s.undoStatus !== s.status ? `; undo ${s.undoStatus}` : ''
    out.push(`| ${SYMBOL[s.status] ?? ''} | ${name} | ${s.phase} | ${s.status}${undo} | ${s.durationMs === null ? '—' : formatDuration(s.durationMs)} | ${cell(s.summary)} |`)
  }
  for (const p of run.plan.steps.filter((p) => !recorded.has(p.id))) {
    out.push(`| ➖ | ${stepName(p.id, p.title)} | ${p.phase} | not run | — | |`)
  }
  out.push('')

  if (run.crossedAt && (steps.some((s) => s.undoStatus !== null || s.pass === 'proof') || ['rolled-back', 'rollback-failed', 'rolling-back'].includes(run.status))) {
    out.push('### Rollback', '')
    const undone = steps.filter((s) => s.pass === 'run' && s.undoStatus !== null).sort((a, b) => b.seq - a.seq)
    if (undone.length) {
      out.push('| Change | Undo | Duration | Summary |', '|---|---|---|---|')
      for (const s of undone) out.push(`| ${stepName(s.stepId, s.title)} | ${SYMBOL[s.undoStatus!] ?? ''} ${s.undoStatus} | ${s.undoDurationMs === null ? '—' : formatDuration(s.undoDurationMs)} | ${cell(s.undoSummary)} |`)
      out.push('')
    }
    // The incident report's own account of the environment and the proof, without its heading.
    out.push(...environmentStateSection(run, steps).slice(2).map((l) => l.replace(/^## /, '#### ')))
  }

  out.push('### Evidence', '')
  const where = input.workflowRunUrl ? `uploaded as an artifact of [this workflow run](${input.workflowRunUrl}) (listed under Artifacts on its page)` : 'in the workspace'
  out.push(`The run folder ${code(input.runFolder)}, ${where}, holds the record of each step:`, '')
  for (const r of input.reports) out.push(`- ${code(r)}`)
  // An undo may write the same file as its step: each file once.
  const listed = new Set<string>()
  for (const s of ordered) {
    for (const e of s.evidence) {
      if (listed.has(e.path)) continue
      listed.add(e.path)
      out.push(`- ${code(e.path)}: ${cell(e.label)} (${s.pass === 'proof' ? 'rollback check: ' : ''}${cell(s.stepId)})`)
    }
  }
  if (!input.reports.length && !steps.some((s) => s.evidence.length)) out.push('- no files: every step kept its output in the record (`rollout status ' + run.id + '`)')
  out.push('')
  return out.join('\n')
}
