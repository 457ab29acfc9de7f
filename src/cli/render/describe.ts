import type { RolloutEvent } from '../../engine/events.js'
import { formatDuration } from '../../config/duration.js'
import { statusSymbol, type Style } from './style.js'

/**
 * One event as a line of text, or null for events a renderer shows otherwise (live output). Shared
 * by the plain renderer and the checklist, so both tell the same story.
 */
export function describeEvent(e: RolloutEvent, style: Style, titles: Map<string, string>): string | null {
  const title = (id: string) => titles.get(id) ?? id
  const proofLabel = (pass: string) => (pass === 'proof' ? style.dim('[rollback check] ') : '')
  switch (e.type) {
    case 'run-started':
      return style.bold(`${e.resumed ? 'Resuming' : 'Rollout'} ${e.runId} → ${e.environment} (${e.steps} steps${e.pointOfNoReturn ? `, point of no return: ${e.pointOfNoReturn}` : ''})`)
    case 'lock-taken-over':
      return style.yellow(`! took over the lock of run ${e.previous.runId} (${e.previous.user}@${e.previous.host}): ${e.reason}`)
    case 'phase-started':
      return style.bold(`${e.pass === 'proof' ? 'rollback check: ' : ''}${e.phase}`)
    case 'step-finished':
      return `  ${statusSymbol(e.status, style)} ${proofLabel(e.pass)}${title(e.stepId)} ${style.dim(`(${formatDuration(e.durationMs)})`)} ${e.status === 'passed' ? style.dim(e.summary) : e.summary}`
    case 'step-skipped':
      return `  ${statusSymbol('skipped', style)} ${proofLabel(e.pass)}${e.title} ${style.dim(`skipped: ${e.reason}`)}`
    case 'step-retrying':
      return `  ${style.yellow('↻')} ${title(e.stepId)} failed (${e.error}); attempt ${e.attempt}`
    case 'point-of-no-return':
      return style.yellow(`  ▶ point of no return: ${e.title ?? title(e.stepId)} changes the environment; a failure from here on rolls back`)
    case 'rollback-started':
      return style.bold(style.yellow(`Rolling back: ${e.reason}`))
    case 'undo-finished':
      return `  ${statusSymbol(e.status, style)} undo ${title(e.stepId)} ${style.dim(`(${formatDuration(e.durationMs)})`)} ${e.summary}`
    case 'rollback-finished':
      return e.status === 'rolled-back' ? style.green(`Rollback complete: ${e.summary}`) : style.red(`Rollback INCOMPLETE: ${e.summary}`)
    case 'warning':
      return style.yellow(`  ! ${e.message}`)
    case 'run-finished': {
      const colour = e.status === 'passed' ? style.green : e.status === 'failed' || e.status === 'rolled-back' ? style.yellow : style.red
      return `${colour(style.bold(`${e.status.toUpperCase()}`))} after ${formatDuration(e.durationMs)}: ${e.summary}${e.report ? `\nIncident report: ${e.report}` : ''}`
    }
    default:
      return null
  }
}
