import { setTimeout as sleep } from 'node:timers/promises'
import { assertSamePlan, newRunState, restoreFromRecord, type EngineDeps, type RunResult, type RunSetup } from './run.js'
import { LockedError } from '../shared/errors.js'
import type { MonitorOutcome } from './events.js'
import { runPhase } from './phases.js'
import { Recorder } from './recorder.js'
import { detachedSteps } from './run-overrides.js'
import type { RunRecord, Store } from './store.js'

export interface WatchResult {
  outcome: MonitorOutcome
  summary: string
}

export interface WatchOptions {
  pollMs?: number
  /** Rolls the run back as `rollout rollback <run>` does (its own lock, its own store). */
  rollback: (reason: string) => Promise<RunResult>
}

/** How long the watcher waits for the run that started it to record its end. */
const RUN_END_WAIT_MS = 120_000

/**
 * The background watcher of a detached monitoring window (`rollout monitor <run> --watcher`): runs
 * the run's monitor phase once the run has finished, its samples and outcome going into the run's
 * record. It holds no lock while it watches, so the team may go on; a newer run of the environment,
 * or a rollback by hand, stops it. On a breach it rolls the run back as `rollout rollback <run>`
 * does, lock included. Its last event is always `monitor-finished`.
 */
export async function watchDetachedMonitor(setup: RunSetup, deps: Pick<EngineDeps, 'store' | 'kinds' | 'env' | 'onEvent'>, record: RunRecord, opts: WatchOptions): Promise<WatchResult> {
  assertSamePlan(record, setup.plan)
  const { store } = deps
  const controller = new AbortController()
  const state = newRunState(setup, deps, record.id, new Recorder(store, record.id, setup.redactor, deps.onEvent ? [deps.onEvent] : []), controller.signal)
  const finish = async (result: WatchResult): Promise<WatchResult> => {
    await state.recorder.emit({ type: 'monitor-finished', ...result })
    return result
  }
  const status = await runEnd(store, record.id, opts.pollMs ?? 250)
  if (status !== 'passed') {
    const why = status === 'running' ? 'the run did not record its end' : `the run ended as ${status}`
    for (const step of detachedSteps(state.plan)) await store.upsertStep({ runId: record.id, stepId: step.id, pass: 'run', status: 'skipped', summary: `not watched: ${why}` })
    return await finish({ outcome: 'stopped', summary: `nothing watched: ${why}` })
  }
  state.crossed = record.crossedAt !== null
  if (record.release) state.environment = { ...state.environment, release: record.release }
  await restoreFromRecord(state)

  let stopReason: string | null = null
  const guard = setInterval(() => {
    void stillWatched(store, record.id, record.environment, record.startedAt).then((why) => {
      if (why && !stopReason) {
        stopReason = why
        controller.abort(new Error(why))
      }
    }, () => undefined)
  }, opts.pollMs ?? 1000)
  let result
  try {
    result = await runPhase(state, 'monitor', 'run')
  } finally {
    clearInterval(guard)
  }
  if (stopReason) return await finish({ outcome: 'stopped', summary: `${stopReason}; the rest of the window is not watched` })
  if (!result.blocker) {
    const alerted = result.results.filter((r) => state.outputs.get(r.stepId)?.breach)
    if (alerted.length) return await finish({ outcome: 'alerted', summary: alerted.map((r) => r.summary).join('; ') })
    return await finish({ outcome: 'quiet', summary: result.results.map((r) => r.summary).join('; ') })
  }
  const reason = `phase monitor (watched in the background): "${result.blocker.stepId}" ${result.blocker.status}: ${result.blocker.summary}`
  return await finish(await rollBackRun(opts, record.id, reason))
}

/** Rolls the run back as `rollout rollback <run>` would; another run holding the lock leaves it as it is. */
async function rollBackRun(opts: WatchOptions, runId: string, reason: string): Promise<WatchResult> {
  try {
    const rolled = await opts.rollback(reason)
    return { outcome: rolled.status === 'rolled-back' ? 'rolled-back' : 'rollback-failed', summary: rolled.summary }
  } catch (error) {
    const why = error instanceof LockedError ? `${error.message}; the release was NOT rolled back` : `the rollback could not start: ${(error as Error).message}`
    return { outcome: 'not-rolled-back', summary: `${reason} → ${why}; undo it with \`rollout rollback ${runId}\`` }
  }
}

/** Waits until the run that started the watcher records its end; its status then (or `running`). */
async function runEnd(store: Store, runId: string, pollMs: number): Promise<string> {
  const until = Date.now() + RUN_END_WAIT_MS
  for (;;) {
    const status = (await store.getRun(runId))?.status ?? 'gone'
    if (status !== 'running' || Date.now() > until) return status
    await sleep(pollMs)
  }
}

/** Why the window is no longer this watcher's to keep, or null: the run was undone, or a newer run started. */
async function stillWatched(store: Store, runId: string, environment: string, startedAt: string): Promise<string | null> {
  const run = await store.getRun(runId)
  if (run && run.status !== 'passed') return `the run is now ${run.status}`
  const newest = (await store.listRuns({ environment, limit: 1 }))[0]
  if (newest && newest.id !== runId && newest.startedAt >= startedAt) return `run ${newest.id} started on ${environment}`
  return null
}
