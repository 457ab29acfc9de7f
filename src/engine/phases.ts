import type { Phase } from '../plan/phases.js'
import { PHASES } from '../plan/phases.js'
import type { PlannedStep } from '../plan/types.js'
import type { StepPass } from './events.js'
import type { RunState } from './run-state.js'
import { executeStep, type StepResult } from './execute-step.js'

export interface PhaseResult {
  phase: Phase
  results: StepResult[]
  /** The first blocking step that did not pass, if any. */
  blocker: StepResult | null
}

const BLOCKING: ReadonlySet<string> = new Set(['failed', 'cancelled'])

/**
 * Runs one phase: every step starts as soon as the steps it waits for (`after`) have finished, so
 * independent steps run concurrently. A step whose prerequisite failed is skipped. Steps listed in
 * `done` finished in an earlier process (resume) and are not run again.
 */
export async function runPhase(state: RunState, phase: Phase, pass: StepPass, done: ReadonlyMap<string, StepResult> = new Map()): Promise<PhaseResult> {
  const steps = state.plan.steps.filter((s) => s.phase === phase)
  if (steps.length === 0) return { phase, results: [], blocker: null }
  await state.recorder.emit({ type: 'phase-started', phase, pass })
  const promises = new Map<string, Promise<StepResult>>()
  const start = (step: PlannedStep): Promise<StepResult> => {
    const existing = promises.get(step.id)
    if (existing) return existing
    const promise = (async () => {
      const earlier = done.get(step.id)
      if (earlier) {
        await state.recorder.emit({ type: 'step-skipped', stepId: step.id, title: step.title, phase: step.phase, reason: `already ${earlier.status} before the interruption`, pass })
        return earlier
      }
      const prerequisites = await Promise.all(step.after.map((id) => start(steps.find((s) => s.id === id)!)))
      const failed = prerequisites.find((r) => BLOCKING.has(r.status))
      if (failed || state.signal.aborted) {
        const reason = failed ? `waits for "${failed.stepId}", which ${failed.status}` : 'the run was cancelled'
        await state.store.upsertStep({ runId: state.runId, stepId: step.id, pass, phase: step.phase, title: step.title, status: 'skipped', summary: reason })
        await state.recorder.emit({ type: 'step-skipped', stepId: step.id, title: step.title, phase: step.phase, reason, pass })
        return { stepId: step.id, status: 'skipped' as const, summary: reason }
      }
      return executeStep(state, step, pass)
    })()
    promises.set(step.id, promise)
    return promise
  }
  const results = await Promise.all(steps.map(start))
  const blocker = results.find((r) => BLOCKING.has(r.status) && steps.find((s) => s.id === r.stepId)!.gate === 'blocking') ?? null
  return { phase, results, blocker }
}

/** Runs the given phases in order; stops at the first phase with a blocking failure. */
export async function runPhases(state: RunState, phases: readonly Phase[], pass: StepPass, done?: ReadonlyMap<string, StepResult>): Promise<PhaseResult | null> {
  for (const phase of PHASES.filter((p) => phases.includes(p))) {
    if (state.signal.aborted) return { phase, results: [], blocker: { stepId: '', status: 'cancelled', summary: 'cancelled' } }
    const result = await runPhase(state, phase, pass, done)
    if (result.blocker) return result
  }
  return null
}
