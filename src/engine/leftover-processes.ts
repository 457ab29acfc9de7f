import { formatDuration } from '../config/duration.js'
import { liveMembers, stopGroup, waitForGroup, type ProcessGroupRecord } from '../shared/process/process-group.js'
import type { PlannedStep } from '../plan/types.js'
import type { RunState } from './run-state.js'

/** The record's key under which a step's data lists the process groups it started. */
export const PROCESS_GROUPS = 'processGroups'

export function recordedGroups(data: Record<string, unknown> | undefined): ProcessGroupRecord[] {
  const groups = data?.[PROCESS_GROUPS]
  return Array.isArray(groups) ? (groups as ProcessGroupRecord[]) : []
}

/**
 * Before an interrupted step is judged, repeated or undone, the processes its dead attempt started
 * must be over: a migration still running would change the schema after it was inspected. A step
 * that changes the environment is waited for until its own timeout (counted from when the process
 * started), then stopped; any other step is stopped at once, since nothing depends on its end.
 * Returns a line per group for the record.
 */
export async function settleLeftoverProcesses(state: RunState, step: PlannedStep, data: Record<string, unknown> | undefined): Promise<string[]> {
  const lines: string[] = []
  for (const group of recordedGroups(data)) {
    const live = liveMembers(group)
    if (!live.length) continue
    const what = `process group ${group.pgid} (pid ${live.join(', ')}), started ${group.startedAt} by the interrupted attempt,`
    if (step.changesEnvironment) {
      const until = Date.parse(group.startedAt) + step.timeoutMs
      await state.recorder.emit({
        type: 'warning', stepId: step.id,
        message: `"${step.title}": ${what} is still running: waiting up to ${formatDuration(Math.max(0, until - Date.now()))} (the step's timeout) for it to end, so what it changed is known`,
      })
      if (await waitForGroup(group, until, state.signal)) {
        lines.push(`${what} ended on its own before the step was judged`)
        continue
      }
    }
    await stopGroup(group)
    const message = `${what} was still running${step.changesEnvironment ? ' at the step\'s timeout' : ''} and was stopped`
    await state.recorder.emit({ type: 'warning', stepId: step.id, message: `"${step.title}": ${message}` })
    lines.push(message)
  }
  return lines
}
