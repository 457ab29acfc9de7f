import type { Plan } from '../../plan/types.js'
import { PHASES } from '../../plan/phases.js'
import { formatDuration } from '../../config/duration.js'
import type { Style } from './style.js'

/** `rollout plan` as text: every step `run` will execute, in order, with what it can undo. */
export function renderPlan(plan: Plan, url: string, style: Style): string {
  const out: string[] = []
  out.push(style.bold(`Plan for ${plan.environment} (${url}): ${plan.steps.length} steps`))
  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase)
    if (!steps.length) continue
    out.push('', style.bold(phase))
    for (const s of steps) {
      const marks = [
        s.gate === 'warning' ? 'warning only' : '',
        s.after.length ? `after ${s.after.join(', ')}` : '',
        s.retries ? `${s.retries} retries` : '',
        `timeout ${formatDuration(s.timeoutMs)}`,
        s.undoable ? 'undoable' : s.changesEnvironment ? 'no undo' : '',
      ].filter(Boolean)
      const pnr = s.id === plan.pointOfNoReturn ? style.yellow(' ◀ point of no return') : ''
      out.push(`  ${s.id.padEnd(20)} ${s.title}${pnr}`)
      out.push(style.dim(`  ${''.padEnd(20)} ${s.kind} · ${marks.join(' · ')}`))
    }
  }
  out.push('')
  const undo = plan.steps.filter((s) => s.undoable || s.changesEnvironment).reverse()
  if (plan.pointOfNoReturn) {
    out.push(style.bold('On a failure after the point of no return:'))
    out.push(`  undo, newest first: ${undo.map((s) => (s.undoable ? s.id : `${s.id} (by hand)`)).join(' → ') || 'nothing'}`)
    out.push(`  then prove the rollback: ${plan.rollbackProofPhases.join(', ') || 'no checks'}`)
  } else {
    out.push(style.bold('No step changes the environment: a failure just stops the run.'))
  }
  return out.join('\n')
}
