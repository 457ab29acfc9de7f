import type { PlannedStep } from '../plan/types.js'
import type { RunState } from './run-state.js'
import type { StepRecord } from './store.js'
import type { UndoContext } from './step-kind.js'
import { boundedAttempt, errorMessage, executeStep } from './execute-step.js'
import { isFirstDeploy } from './run-overrides.js'
import { runPhases } from './phases.js'
import { settleLeftoverProcesses } from './leftover-processes.js'
import { rollbackProof } from './rollback-proof.js'
import { inspectAfterRollback } from './inspect-after-rollback.js'

export interface RollbackResult {
  status: 'rolled-back' | 'rollback-failed'
  summary: string
}

/** Step states after which a step may have changed something, so its undo must run. */
const STARTED = new Set(['passed', 'warning', 'failed', 'running', 'cancelled', 'rolling-back', 'rollback-failed'])

/**
 * The rollback: undo every step that may have changed the environment, newest first, each recorded
 * before and after; then re-run the verification phases (the smoke tests) against what was put back.
 * Works from the record alone, so it can finish the job of a process that died.
 */
export async function rollBack(state: RunState, reason: string): Promise<RollbackResult> {
  const { store, recorder, runId } = state
  await store.updateRun(runId, { status: 'rolling-back' })
  await recorder.emit({ type: 'rollback-started', reason })

  const records = (await store.getSteps(runId)).filter((r) => r.pass === 'run')
  const planned = new Map(state.plan.steps.map((s) => [s.id, s]))
  const toUndo = records
    .filter((r) => STARTED.has(r.status) && r.undoStatus !== 'rolled-back')
    .map((r) => ({ record: r, step: planned.get(r.stepId) }))
    .filter((x): x is { record: StepRecord; step: PlannedStep } => !!x.step && (x.step.undoable || x.step.changesEnvironment))
    .sort((a, b) => b.record.seq - a.record.seq)

  const problems: string[] = []
  const abandoned: string[] = []
  for (const { record, step } of toUndo) {
    // Ctrl-C twice abandons the rollback: no further undo starts (a database restore the operator
    // just said to stop). What is left stays in the record for `rollout rollback` to finish.
    if (state.signal.aborted) {
      abandoned.push(step.id)
      continue
    }
    const ok = await undoStep(state, step, record)
    if (!ok) problems.push(step.id)
  }
  if (abandoned.length) problems.push(`abandoned before undoing ${abandoned.join(', ')}`)

  const verify = state.signal.aborted ? null : await proveRollback(state)
  if (verify?.blocker) problems.push(`verification: ${verify.blocker.stepId || 'cancelled'} ${verify.blocker.status} (${verify.blocker.summary})`)
  // An abandoned rollback looks at nothing more: the operator said stop, and the record says what is left.
  const inspected = state.signal.aborted ? { changed: [], unknown: [] } : await inspectAfterRollback(state, toUndo.map((x) => x.step))
  for (const c of inspected.changed) problems.push(`found still changed after its undo: ${c}`)
  for (const u of inspected.unknown) await recorder.emit({ type: 'warning', message: `after the rollback, could not tell whether ${u} is back as before` })

  const undone = toUndo.map((x) => x.step.id)
  const proof = rollbackProof(await store.getSteps(runId))
  if (!problems.length && undone.length && !proof.verified) {
    await recorder.emit({ type: 'warning', message: `the rollback is not verified: no ${state.plan.rollbackProofPhases.join('/') || 'smoke'} step ran and passed against what was put back` })
  }
  const verifiedBy = proof.verified ? `verified by ${proof.passed.join(', ')}` : `NOT verified: no ${state.plan.rollbackProofPhases.join('/') || 'smoke'} step ran and passed against it`
  const result: RollbackResult = problems.length
    ? { status: 'rollback-failed', summary: `rollback did not complete: ${problems.join('; ')}` }
    : { status: 'rolled-back', summary: undone.length ? `rolled back ${undone.join(', ')}; ${verifiedBy}` : 'nothing needed undoing' }
  await recorder.emit({ type: 'rollback-finished', ...result })
  return result
}

/**
 * The smoke phases again, against what was put back; for a first deploy, that nothing serves: before
 * it nothing did, and no smoke test can pass against nothing.
 */
async function proveRollback(state: RunState) {
  if (!isFirstDeploy(state.plan)) return runPhases(state, state.plan.rollbackProofPhases, 'proof')
  const step: PlannedStep = {
    id: 'nothing-serving', title: 'Nothing serves at the URL', phase: 'smoke', kind: 'nothing-serving', options: {},
    gate: 'blocking', timeoutMs: 60_000, retries: 0, after: [], changesEnvironment: false, undoable: false,
  }
  const result = await executeStep(state, step, 'proof')
  return result.status === 'failed' || result.status === 'cancelled' ? { phase: step.phase, results: [result], blocker: result } : null
}

async function undoStep(state: RunState, step: PlannedStep, record: StepRecord): Promise<boolean> {
  const { store, recorder, runId } = state
  const kind = state.kinds.find(step.kind)
  await recorder.emit({ type: 'undo-started', stepId: step.id, title: step.title })
  const started = performance.now()
  const recorded = { ...record.data, ...(state.outputs.get(step.id) ?? {}) }
  const finish = async (status: 'rolled-back' | 'rollback-failed', summary: string, undoData: Record<string, unknown> = {}) => {
    const durationMs = performance.now() - started
    // What the undo found and did (the tables a restore replayed) stays beside the step's own data, for the incident report.
    const data = state.redactor.redactValue({ ...recorded, undo: { ...undoData, status, finishedAt: new Date().toISOString() } })
    state.outputs.set(step.id, { ...recorded, undo: data.undo })
    await store.upsertStep({ runId, stepId: step.id, pass: 'run', status, undoStatus: status, undoSummary: state.redactor.redact(summary), undoDurationMs: durationMs, data })
    await recorder.emit({ type: 'undo-finished', stepId: step.id, status, summary, durationMs })
    return status === 'rolled-back'
  }
  if (!kind?.undo || !step.undoable) {
    return finish('rollback-failed', `"${step.title}" changed the environment and has no automatic undo: put it back by hand`)
  }
  await store.upsertStep({ runId, stepId: step.id, pass: 'run', status: 'rolling-back', undoStatus: 'rolling-back' })
  const endedAs = record.status === 'running' || record.status === 'rolling-back' || record.status === 'cancelled' ? 'interrupted' : (record.status as UndoContext['endedAs'])
  // What a dead attempt left running must be over before the undo judges what it changed.
  for (const line of await settleLeftoverProcesses(state, step, recorded)) await store.appendOutput(runId, step.id, 'run', line)
  try {
    const outcome = await boundedAttempt(state, step, 'run', (ctx) => kind.undo!({ ...ctx, recorded, endedAs }))
    return finish(outcome.status === 'failed' ? 'rollback-failed' : 'rolled-back', outcome.summary, outcome.data)
  } catch (error) {
    return finish('rollback-failed', errorMessage(error))
  }
}
