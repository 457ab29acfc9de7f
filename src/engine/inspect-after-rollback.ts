import type { PlannedStep } from '../plan/types.js'
import type { RunState } from './run-state.js'
import type { Inspection, UndoContext } from './step-kind.js'
import { boundedAttempt, errorMessage } from './execute-step.js'

/**
 * After the undos, each undone step whose kind can look at the environment does so: the schema
 * against its fingerprint from before the run, the live deployment against the one live before. The
 * finding is kept in the step's record (`inspected`) for the report; a step still found changed
 * makes the rollback incomplete, whatever its undo said.
 */
export async function inspectAfterRollback(state: RunState, steps: PlannedStep[]): Promise<{ changed: string[]; unknown: string[] }> {
  const changed: string[] = []
  const unknown: string[] = []
  for (const step of steps) {
    const kind = state.kinds.find(step.kind)
    if (!kind?.inspect) continue
    const recorded = state.outputs.get(step.id) ?? {}
    let inspection: Inspection = { state: 'unknown', detail: 'not inspected' }
    await boundedAttempt(state, step, 'run', async (ctx) => {
      try {
        inspection = await kind.inspect!({ ...ctx, recorded, endedAs: 'passed' } as UndoContext<any>)
      } catch (error) {
        inspection = { state: 'unknown', detail: `could not look: ${errorMessage(error)}` }
      }
      return { status: 'passed', summary: inspection.detail }
    })
    const data = state.redactor.redactValue({ ...recorded, inspected: { ...inspection, at: new Date().toISOString() } })
    state.outputs.set(step.id, data)
    await state.store.upsertStep({ runId: state.runId, stepId: step.id, pass: 'run', data })
    await state.recorder.emit({ type: 'step-output', stepId: step.id, pass: 'run', line: `inspected after the rollback: ${inspection.state}: ${inspection.detail}` })
    if (inspection.state === 'changed') changed.push(`${step.id} (${inspection.detail})`)
    if (inspection.state === 'unknown') unknown.push(`${step.id} (${inspection.detail})`)
  }
  return { changed, unknown }
}
