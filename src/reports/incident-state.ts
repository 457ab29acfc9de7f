import type { RunRecord, StepRecord } from '../engine/store.js'
import { code } from './incident-format.js'
import { rollbackProof } from '../engine/rollback-proof.js'

/** Step states after which a step may have changed something, or did and was undone. */
const STARTED = new Set(['passed', 'warning', 'failed', 'running', 'cancelled', 'rolling-back', 'rolled-back', 'rollback-failed'])

interface Changed {
  id: string
  /** The step's kind; `undefined` for a record the recorded plan does not list. */
  kind: string | undefined
  options: Record<string, unknown>
  record: StepRecord
}

/**
 * The run's steps that changed (or may have changed) the environment, in the order they ran: those
 * the plan says change it, and any step the rollback tried to undo.
 */
function changedSteps(run: RunRecord, steps: readonly StepRecord[]): Changed[] {
  const planned = new Map(run.plan.steps.map((s) => [s.id, s]))
  return steps
    .filter((r) => r.pass === 'run' && STARTED.has(r.status))
    .filter((r) => r.undoStatus !== null || planned.get(r.stepId)?.changesEnvironment || planned.get(r.stepId)?.undoable)
    .map((record) => ({ id: record.stepId, kind: planned.get(record.stepId)?.kind, options: planned.get(record.stepId)?.options ?? {}, record }))
    .sort((a, b) => a.record.seq - b.record.seq)
}

/** Undone, and not found still changed when the environment was inspected afterwards. */
const isBack = (c: Changed) => c.record.undoStatus === 'rolled-back' && (c.record.data.inspected as { state?: string } | undefined)?.state !== 'changed'

/**
 * What state the environment is in now, change by change, and whether the smoke tests proved what
 * was put back. Pure.
 */
export function environmentStateSection(run: RunRecord, steps: readonly StepRecord[]): string[] {
  const changed = changedSteps(run, steps)
  const lines = ['## State of the environment', '']
  if (!run.crossedAt) return [...lines, 'Unchanged: the run stopped before the point of no return.', '']
  const left = changed.filter((c) => !isBack(c))
  const proof = steps.filter((s) => s.pass === 'proof')
  const { verified } = rollbackProof(steps)
  if (run.status === 'rolled-back' && !left.length && verified) lines.push('**As before the run:** every change was undone and the smoke tests pass against what was put back.')
  else if (run.status === 'rolled-back' && !left.length) lines.push('**Undone, not proven:** every change was undone, but no smoke test ran and passed against what was put back.')
  else if (left.length) lines.push(`**Partly changed:** ${left.length} of ${changed.length} change${changed.length === 1 ? '' : 's'} ${left.length === 1 ? 'is' : 'are'} still in place. Manual action is needed (see "To finish by hand").`)
  else lines.push(`**Undone, not proven:** every change was undone but the smoke tests did not pass against it.`)
  lines.push('')
  for (const c of changed) lines.push(`- ${code(c.id)}${c.kind ? ` (${c.kind})` : ''}: ${describeUndo(c)}`)
  if (proof.length) {
    const failed = proof.filter((s) => s.status === 'failed' || s.status === 'cancelled')
    lines.push(failed.length
      ? `- smoke tests after the rollback: **FAILED**: ${failed.map((s) => `${code(s.stepId)} ${s.summary ?? ''}`).join('; ')}`
      : `- smoke tests after the rollback: passed (${proof.map((s) => code(s.stepId)).join(', ')})`)
  } else if (changed.some(isBack)) lines.push('- smoke tests after the rollback: not run')
  lines.push('')
  return lines
}

function describeUndo(c: Changed): string {
  const inspected = c.record.data.inspected as { state?: string; detail?: string } | undefined
  const found = inspected?.detail ? `; inspected afterwards: ${inspected.state === 'before' ? 'as before the run' : `**${inspected.state === 'changed' ? 'STILL CHANGED' : 'could not tell'}**`} (${inspected.detail})` : ''
  return describeUndoStatus(c) + found
}

function describeUndoStatus(c: Changed): string {
  const detail = c.record.undoSummary ? `: ${c.record.undoSummary}` : ''
  switch (c.record.undoStatus) {
    case 'rolled-back':
      return `put back${detail}`
    case 'rollback-failed':
      return `**NOT put back**${detail}`
    case 'rolling-back':
      return '**undo interrupted**: its state is unknown'
    default:
      return `**not undone** (the step ended as ${c.record.status})`
  }
}

/**
 * The commands that finish the job or come next, for the run's outcome; for each change still in
 * place, what to do by hand first (data the step recorded names the deployment or the backup).
 */
export function followUpSection(run: RunRecord, steps: readonly StepRecord[]): string[] {
  const incomplete = run.status === 'rollback-failed' || run.status === 'rolling-back' || run.status === 'running' || (run.status === 'cancelled' && run.crossedAt !== null)
  if (!incomplete) {
    const next = run.crossedAt ? 'fix the release, then run it again' : 'fix what the failed step reports, then run again'
    return [
      '## Follow-up', '',
      `- Inspect the record: \`rollout status ${run.id}\``,
      `- ${next[0]!.toUpperCase()}${next.slice(1)}: \`rollout run ${run.environment}${run.release ? ' --release <next release>' : ''}\``,
      `- Earlier runs of ${run.environment}: \`rollout history ${run.environment}\``,
      '',
    ]
  }
  const left = changedSteps(run, steps).filter((c) => !isBack(c))
  const backup = steps.find((s) => s.pass === 'run' && run.plan.steps.find((p) => p.id === s.stepId)?.kind === 'backup' && typeof s.data.id === 'string')
  const lines = ['## To finish by hand', '']
  // Newest first, as the rollback itself goes.
  for (const c of [...left].reverse()) lines.push(`- By hand: ${manualStep(run, c, backup ? String(backup.data.id) : null)}`)
  const n = left.length
  lines.push(`- ${n ? 'Then let the tool finish and prove it' : 'Undo what is left'}: \`rollout rollback ${run.id}\` (undoes what is not put back yet, then re-runs the smoke tests)`)
  if (run.status !== 'rollback-failed') lines.push(`- Or continue the run: \`rollout resume ${run.id}\``)
  lines.push(`- Inspect the record: \`rollout status ${run.id}\``)
  lines.push(`- When the environment is safe again and no run is active: \`rollout unlock ${run.environment} --force\``, '')
  return lines
}

/** What to do by hand for one change still in place, in the words its kind's recorded data allows. */
function manualStep(run: RunRecord, c: Changed, backupId: string | null): string {
  const data = c.record.data
  switch (c.kind) {
    case 'deploy': {
      const previous = typeof data.previousDeploymentId === 'string' ? data.previousDeploymentId : null
      const current = typeof data.deploymentId === 'string' ? ` (the run deployed ${code(data.deploymentId)})` : ''
      if (previous) return `make deployment ${code(previous)}, live before the run, live again through the provider${current}.`
      if (data.previousDeploymentId === null) return `take the run's deployment down through the provider${current}: nothing was live before it.`
      return `put the deployment back through the provider${current}: the record does not say what was live before.`
    }
    case 'migrate':
      if (!backupId) return 'put the database back: the run took no backup to restore.'
      // The undo refused the run's backup (restore-backup's INVALID_BACKUP: truncated, changed):
      // restoring it by hand would be refused too, so the advice must not name it.
      if (/\bfailed verification\b/.test(c.record.undoSummary ?? '')) {
        return `put the database back another way: the run's backup ${code(backupId)} failed verification and cannot be restored. Restore an older verified backup (\`rollout backups ${run.environment}\`, then \`rollout restore ${run.environment} <id>\`: what was written since it is lost), or revert the migration's changes by hand.`
      }
      return `put the database back to the run's backup: \`rollout restore ${run.environment} ${backupId}\` (only the tables that differ are replayed, then every table is proven equal).`
    default: {
      const undo = typeof c.options.undo === 'string' ? c.options.undo : null
      return undo ? `put ${code(c.id)} back with its undo command: ${code(undo)}` : `put ${code(c.id)} back${c.record.undoSummary ? ` (${c.record.undoSummary})` : ''}.`
    }
  }
}
