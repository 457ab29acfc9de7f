import { runDir } from '../engine/evidence.js'
import { isInterrupted } from '../engine/lock.js'
import { findRunId } from '../engine/run-id.js'
import type { LockRecord, RunRecord, StepRecord } from '../engine/store.js'
import { forceUnlock } from '../engine/unlock.js'
import { RolloutError } from '../shared/errors.js'
import type { ConfigSource } from './config-source.js'
import { recordPlace, withStore } from './store.js'

/** A run as `rollout history` lists it: the record without its plan. */
export type RunSummary = Omit<RunRecord, 'plan'>

/** `rollout history <env>`: the environment's runs, newest first. */
export async function listRuns(input: ConfigSource & { environment: string; limit?: number }): Promise<RunSummary[]> {
  return withStore((await recordPlace(input)).store, async (store) => {
    const runs = await store.listRuns({ environment: input.environment, limit: input.limit ?? 20 })
    return runs.map(({ plan: _plan, ...run }) => run)
  })
}

/** One run from the record, with its steps and its environment's lock. */
export interface RunDetail {
  run: RunRecord
  steps: StepRecord[]
  lock: LockRecord | null
  /** The run says it is going, but its process is gone (or its lock is someone else's). */
  interrupted: boolean
  /** The run's folder: evidence, reports. */
  folder: string
}

/** `rollout status [run]`: one run (default the newest), each step, its result and undo. */
export async function showRun(input: ConfigSource & { runId?: string }): Promise<RunDetail> {
  const { stateDir, store: location } = await recordPlace(input)
  return withStore(location, async (store) => {
    const id = input.runId ? await findRunId(store, input.runId) : (await store.listRuns({ limit: 1 }))[0]?.id
    if (!id) throw new RolloutError('USAGE', input.runId ? `no run "${input.runId}" in the record` : 'no runs recorded yet')
    const run = (await store.getRun(id))!
    const lock = await store.getLock(run.environment)
    return { run, steps: await store.getSteps(id), lock, interrupted: isInterrupted(run, lock), folder: runDir(stateDir, id) }
  })
}

/** `rollout unlock <env> --force`: removes the lock of a run that is gone; says what it did. */
export async function unlockEnvironment(input: ConfigSource & { environment: string }): Promise<string> {
  return withStore((await recordPlace(input)).store, (store) => forceUnlock(store, input.environment))
}
