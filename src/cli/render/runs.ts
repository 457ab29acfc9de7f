import type { LockRecord, RunRecord, StepRecord } from '../../engine/store.js'
import { formatDuration } from '../../config/duration.js'
import { statusSymbol, type Style } from './style.js'

export function renderHistory(runs: Omit<RunRecord, 'plan'>[], style: Style): string {
  if (!runs.length) return 'No runs recorded yet.'
  const rows = runs.map((r) => {
    const took = r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '—'
    return `${statusSymbol(r.status, style)} ${r.id}  ${r.startedAt.slice(0, 19).replace('T', ' ')}  ${r.status.padEnd(15)} ${took.padEnd(8)} ${r.user}@${r.host}${r.release ? `  ${r.release}` : ''}`
  })
  return [style.bold(`  ${'run'.padEnd(20)} ${'started (UTC)'.padEnd(19)}  ${'status'.padEnd(15)} ${'took'.padEnd(8)} by`), ...rows].join('\n')
}

export function renderStatus(run: RunRecord, steps: StepRecord[], lock: LockRecord | null, interrupted: boolean, style: Style): string {
  const out: string[] = []
  out.push(style.bold(`Run ${run.id} → ${run.environment}: ${interrupted ? `${run.status} (INTERRUPTED: its process is gone)` : run.status}`))
  out.push(`  started ${run.startedAt} by ${run.user}@${run.host} (pid ${run.pid})${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`)
  if (run.release) out.push(`  release ${run.release}`)
  out.push(`  point of no return: ${run.crossedAt ? `crossed at ${run.crossedAt}` : 'not crossed'}`)
  if (run.summary) out.push(`  ${run.summary}`)
  if (lock) out.push(`  lock: held by run ${lock.owner.runId} (${lock.owner.user}@${lock.owner.host}, pid ${lock.owner.pid}) until ${lock.leaseUntil}`)
  out.push('')
  for (const s of steps) {
    const took = s.durationMs === null ? '' : style.dim(` (${formatDuration(s.durationMs)})`)
    const undo = s.undoStatus ? style.dim(` · undo ${s.undoStatus}${s.undoSummary ? `: ${s.undoSummary}` : ''}`) : ''
    out.push(`  ${statusSymbol(s.status, style)} ${s.pass === 'proof' ? '[rollback check] ' : ''}${s.stepId.padEnd(20)} ${s.status.padEnd(15)}${took} ${s.summary ?? ''}${undo}`)
  }
  if (interrupted) {
    out.push('', `Continue it: rollout resume ${run.id}    Undo it: rollout rollback ${run.id}`)
  }
  return out.join('\n')
}
