import { randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { hostName } from '../shared/host.js'
import type { Redactor } from '../config/redact.js'
import type { ResolvedConfig, ResolvedEnvironment } from '../config/types.js'
import { formatDuration } from '../config/duration.js'
import { pointOfNoReturn } from '../plan/build.js'
import { PHASES, type Phase } from '../plan/phases.js'
import type { Plan, PlannedStep } from '../plan/types.js'
import { RolloutError } from '../shared/errors.js'
import type { EventListener, RunStatus } from './events.js'
import { acquireEnvironmentLock, currentOwner, type HeldLock } from './lock.js'
import { Recorder } from './recorder.js'
import type { EvidenceKeeper, RunSetup, RunState } from './run-state.js'
import { copyEvidence } from './evidence.js'
import type { StepKinds } from './step-kind.js'
import type { RunRecord, StepRecord, Store } from './store.js'
import { runPhases } from './phases.js'
import { guardStaleResume, guardStaleRollback, newerChanges } from './superseded.js'
import { rollBack } from './rollback.js'
import { errorMessage, type StepResult } from './execute-step.js'
import { detachedSteps } from './run-overrides.js'

/** Everything a run stands on that lives outside the engine: given by the caller, so any store or kind will do. */
export interface EngineDeps {
  store: Store
  kinds: StepKinds
  /** The process environment the steps read (tokens, DATABASE_URL, PATH). */
  env: NodeJS.ProcessEnv
  onEvent?: EventListener
  /** Ctrl-C: running steps are told to stop and the run is recorded as cancelled. */
  signal?: AbortSignal
  /** Stops a rollback in progress (a second Ctrl-C); a rollback ignores `signal`. */
  rollbackSignal?: AbortSignal
  /** Writes the incident report of a run that did not pass; returns its path. */
  writeIncidentReport?: (run: { store: Store; stateDir: string; runId: string; redactor: Redactor; contacts: ResolvedConfig['contacts'] }) => Promise<string>
  /** Tells the team's channels that a run ended badly; returns the channels that could not be told. */
  notifyOutcome?: (notice: OutcomeNotice) => Promise<{ channel: string; detail?: string }[]>
  /** Starts the background process that watches a detached monitoring window; returns its pid. */
  startMonitorWatcher?: MonitorWatcherStarter
  /** Copies the run's folder where every machine reads it (its files so far; called again as they grow). */
  keepEvidence?: EvidenceKeeper
}

export type MonitorWatcherStarter = (run: { runId: string; configFile: string; cwd: string; stateDir: string }) => number

export interface OutcomeNotice {
  status: RunStatus
  runId: string
  environmentName: string
  environment: ResolvedEnvironment
  summary: string
  failedStep?: { id: string; title: string; summary?: string }
  incidentReport: string
  durationMs: number
  contacts: ResolvedConfig['contacts']
  redactor: Redactor
}

export type { RunSetup }

export interface RunResult {
  runId: string
  environment: string
  status: RunStatus
  summary: string
  /** true when the run got past the point of no return. */
  crossed: boolean
  incidentReport?: string
  /** pid of the background process watching the monitoring window, when it was detached. */
  monitorWatcher?: number
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

/** The plan cut down to some phases (`rollout check`): such a run changes nothing and never rolls back. */
export function onlyPhases(plan: Plan, phases: Phase[]): Plan {
  const steps = plan.steps.filter((s) => phases.includes(s.phase))
  return { ...plan, steps, pointOfNoReturn: pointOfNoReturn(steps), rollbackProofPhases: [], only: phases }
}

/** A new run: the whole plan, with the rollback after the point of no return. */
export async function startRun(setup: RunSetup, deps: EngineDeps, opts: { release?: string | null } = {}): Promise<RunResult> {
  if (detachedSteps(setup.plan).length && !deps.startMonitorWatcher) {
    throw new RolloutError('USAGE', 'detached monitoring needs a way to start the background watcher (the CLI passes one)', 'run it with `rollout run`, or leave monitor.detach off')
  }
  const runId = newRunId()
  const release = opts.release ?? setup.environment.release ?? null
  const { state, finish } = await begin(setup, deps, runId, async (owner) => {
    await deps.store.createRun({
      id: runId, environment: setup.environmentName, status: 'running', startedAt: owner.since, finishedAt: null,
      user: owner.user, host: owner.host, pid: owner.pid, plan: setup.redactor.redactValue(setup.plan),
      release, crossedAt: null, summary: null, configFile: setup.configFile,
    })
  })
  if (release) state.environment = { ...state.environment, release }
  await state.recorder.emit({ type: 'run-started', environment: setup.environmentName, resumed: false, steps: state.plan.steps.length, pointOfNoReturn: state.plan.pointOfNoReturn })
  return finish(await drive(state, deps, setup.configFile, new Map()))
}

/** Continues an interrupted run from its record; finished steps are not run again. */
export async function resumeRun(setup: RunSetup, deps: EngineDeps, record: RunRecord): Promise<RunResult> {
  if (!['running', 'cancelled', 'rolling-back'].includes(record.status)) {
    throw new RolloutError('USAGE', `run ${record.id} ended as ${record.status}; there is nothing to resume${record.status === 'abandoned' && record.summary ? ` (${record.summary})` : ''}`)
  }
  assertSamePlan(record, setup.plan)
  const { state, finish } = await begin(setup, deps, record.id, async () => {
    guardStaleResume(record, await newerChanges(deps.store, record))
    await deps.store.updateRun(record.id, { status: 'running', pid: process.pid })
  })
  state.crossed = record.crossedAt !== null
  if (record.release) state.environment = { ...state.environment, release: record.release }
  const steps = await restoreFromRecord(state)
  const done = new Map<string, StepResult>()
  for (const s of steps) {
    if (s.pass === 'run' && ['passed', 'warning', 'skipped'].includes(s.status)) done.set(s.stepId, { stepId: s.stepId, status: s.status, summary: s.summary ?? '' })
  }
  state.interrupted = new Set(steps.filter((s) => s.pass === 'run' && (s.status === 'running' || s.status === 'cancelled')).map((s) => s.stepId))
  await state.recorder.emit({ type: 'run-started', environment: record.environment, resumed: true, steps: state.plan.steps.length, pointOfNoReturn: state.plan.pointOfNoReturn })
  if (record.status === 'rolling-back') return finish(await finishRollback(state, deps, 'resumed an interrupted rollback'))
  return finish(await drive(state, deps, setup.configFile, done))
}

/** Undoes a run. Refused when a newer run changed the environment since, unless `force`. */
export async function rollbackRun(setup: RunSetup, deps: EngineDeps, record: RunRecord, opts: { reason?: string; force?: boolean } = {}): Promise<RunResult> {
  if (record.status === 'rolled-back') throw new RolloutError('USAGE', `run ${record.id} is already rolled back`)
  assertSamePlan(record, setup.plan)
  let forced: string | null = null
  const { state, finish } = await begin(setup, deps, record.id, async () => {
    // Judged under the lock, so no newer run can start between the check and the undo.
    forced = guardStaleRollback(record, await newerChanges(deps.store, record), Boolean(opts.force))
  })
  if (forced) await state.recorder.emit({ type: 'warning', message: forced })
  state.crossed = true
  await restoreFromRecord(state)
  return finish(await finishRollback(state, deps, opts.reason ?? `rollback requested by ${state.config.contacts.deployer ?? currentOwner(record.id).user}`))
}

/** Takes the lock, opens the record, wires Ctrl-C; `finish` releases the lock whatever happened. */
async function begin(setup: RunSetup, deps: EngineDeps, runId: string, create: (owner: ReturnType<typeof currentOwner>) => Promise<void>) {
  const { store } = deps
  const owner = currentOwner(runId, deps.env)
  // A lock lost before the point of no return stops the run: another may be changing the environment.
  // After it, the run goes on: stopping halfway would leave the environment between releases.
  const lockLost = new AbortController()
  let onLockLost = (reason: string) => void reason
  // A check (only some phases) changes nothing, so it takes no lock: a run may start while one runs.
  const lock: HeldLock = setup.plan.only
    ? { release: async () => {} }
    : await acquireEnvironmentLock(store, setup.environmentName, owner, setup.environment.lock.lease, (reason) => onLockLost(reason))
  try {
    await create(owner)
  } catch (error) {
    await lock.release()
    throw error
  }
  const recorder = new Recorder(store, runId, setup.redactor, deps.onEvent ? [deps.onEvent] : [])
  if (lock.takenOver) {
    await recorder.emit({ type: 'lock-taken-over', environment: setup.environmentName, previous: lock.takenOver.owner, reason: lock.takenOver.reason })
  }
  const state = newRunState(setup, deps, runId, recorder, deps.signal ? AbortSignal.any([deps.signal, lockLost.signal]) : lockLost.signal)
  // Said before the run's end is recorded: the store may be coming back from the very outage
  // that cost the lease, and the warning is why the run stopped.
  let lockWarning: Promise<unknown> = Promise.resolve()
  onLockLost = (reason) => {
    const consequence = state.crossed ? 'the run goes on, past its point of no return' : 'the run stops before its point of no return'
    lockWarning = recorder.emit({ type: 'warning', message: `the lock on ${setup.environmentName} was lost (${reason}): ${consequence}` }).catch(() => undefined)
    if (!state.crossed) lockLost.abort()
  }
  const started = performance.now()
  const finish = async (outcome: Outcome): Promise<RunResult> => {
    try {
      const { redactor } = setup
      await lockWarning
      await store.updateRun(runId, { status: outcome.status, summary: redactor.redact(outcome.summary), finishedAt: new Date().toISOString() })
      let incidentReport: string | undefined
      if (outcome.status !== 'passed' && deps.writeIncidentReport) {
        incidentReport = await deps.writeIncidentReport({ store, stateDir: state.stateDir, runId, redactor, contacts: state.config.contacts })
        if (!state.plan.only) await notifyOutcome(state, deps, outcome.status, outcome.summary, incidentReport, performance.now() - started)
      }
      await copyEvidence(state)
      await recorder.emit({ type: 'run-finished', status: outcome.status, summary: outcome.summary, durationMs: performance.now() - started, ...(incidentReport ? { report: incidentReport } : {}) })
      return {
        runId, environment: state.environmentName, status: outcome.status, summary: redactor.redact(outcome.summary), crossed: state.crossed,
        ...(incidentReport ? { incidentReport } : {}), ...(outcome.monitorWatcher ? { monitorWatcher: outcome.monitorWatcher } : {}),
      }
    } finally {
      await lock.release()
    }
  }
  return { state, finish }
}

/** The state every step of one run shares, before anything is read back from the record. */
export function newRunState(setup: RunSetup, deps: Pick<EngineDeps, 'store' | 'kinds' | 'env' | 'keepEvidence'>, runId: string, recorder: Recorder, signal: AbortSignal): RunState {
  // Every running step listens to the run's signal: a wide phase is fan-out, not a leak.
  setMaxListeners(1000, signal)
  return {
    plan: setup.plan, config: setup.config, environmentName: setup.environmentName, environment: setup.environment, redactor: setup.redactor, stateDir: setup.stateDir,
    store: deps.store, kinds: deps.kinds, env: deps.env, ...(deps.keepEvidence ? { keepEvidence: deps.keepEvidence } : {}),
    runId, recorder, signal, outputs: new Map(), crossed: false, nextSeq: 1, interrupted: new Set(),
  }
}

/** Puts the recorded steps' data back into the state (for their undo, for later steps) and continues their numbering. */
export async function restoreFromRecord(state: RunState): Promise<StepRecord[]> {
  const steps = await state.store.getSteps(state.runId)
  state.nextSeq = Math.max(0, ...steps.map((s) => s.seq)) + 1
  for (const s of steps) state.outputs.set(s.stepId, s.data)
  return steps
}

interface Outcome {
  status: RunStatus
  summary: string
  monitorWatcher?: number
}

/**
 * Runs the phases; a blocking failure after the point of no return starts the rollback. A detached
 * monitor phase is left to a background watcher, started once everything else has passed.
 */
async function drive(state: RunState, deps: EngineDeps, configFile: string, done: ReadonlyMap<string, StepResult>): Promise<Outcome> {
  const detached = detachedSteps(state.plan)
  let stopped = await runPhases(state, detached.length ? PHASES.filter((p) => p !== 'monitor') : PHASES, 'run', done)
  if (!stopped && detached.length) {
    const pid = await detachMonitoring(state, deps, configFile, detached)
    if (pid !== null) {
      const window = monitorWindow(state, detached)
      return {
        status: 'passed',
        summary: `${await tally(state, detached)}; the monitoring window${window} is watched in the background (pid ${pid}): rollout monitor ${state.runId}`,
        monitorWatcher: pid,
      }
    }
    // No watcher could start: the window is kept here instead, late but not lost.
    stopped = await runPhases(state, ['monitor'], 'run', done)
  }
  if (!stopped) return { status: 'passed', summary: await tally(state, []) }
  const what = stopped.blocker!.stepId ? `"${stopped.blocker!.stepId}" ${stopped.blocker!.status}: ${stopped.blocker!.summary}` : 'cancelled'
  if (state.signal.aborted) {
    const hint = state.crossed ? `; the environment was changed: finish with \`rollout resume ${state.runId}\` or undo with \`rollout rollback ${state.runId}\`` : '; nothing was changed'
    return { status: 'cancelled', summary: `cancelled in phase ${stopped.phase}${hint}` }
  }
  if (!state.crossed) {
    const changed = unexpectedChanges(state)
    if (changed.length) {
      // Nothing undoes a change no step was meant to make: it is left for a person, as an incomplete rollback is.
      return { status: 'rollback-failed', summary: `stopped before the point of no return, but the environment changed anyway: ${changed.join('; ')}; nothing was undone (restore this run's backup to put the database back): ${what}` }
    }
    return { status: 'failed', summary: `stopped before the point of no return, nothing changed: ${what}` }
  }
  return finishRollback(state, deps, `phase ${stopped.phase}: ${what}`)
}

/**
 * What the steps of a passed run ended as, from the record: "all 8 steps passed" only when each
 * did; otherwise the count of each outcome, so a skipped gate or a warning is never read as a pass.
 */
async function tally(state: RunState, left: PlannedStep[]): Promise<string> {
  const leftIds = new Set(left.map((s) => s.id))
  const ended = (await state.store.getSteps(state.runId)).filter((s) => s.pass === 'run' && !leftIds.has(s.stepId))
  const count = (status: string) => ended.filter((s) => s.status === status).length
  const total = state.plan.steps.length - left.length
  const passed = count('passed')
  if (passed === total) return `all ${total} steps passed`
  const parts = [`${passed} passed`, `${count('warning')} with warnings`, `${count('skipped')} skipped`].filter((p) => !p.startsWith('0 '))
  return `${total} steps: ${parts.join(', ')}`
}

/**
 * Changes found by steps that were not meant to make any (`environmentChanged` in their data: a
 * rehearsal whose migration command ignored its scratch database and changed the target).
 */
function unexpectedChanges(state: RunState): string[] {
  return [...state.outputs.values()].map((d) => d.environmentChanged).filter((c): c is string => typeof c === 'string')
}

/** Records the detached steps as waiting and starts their watcher; null when it could not start. */
async function detachMonitoring(state: RunState, deps: EngineDeps, configFile: string, steps: PlannedStep[]): Promise<number | null> {
  const { store, runId } = state
  let pid: number
  try {
    pid = deps.startMonitorWatcher!({ runId, configFile, cwd: state.config.root, stateDir: state.stateDir })
  } catch (error) {
    await state.recorder.emit({ type: 'warning', message: `the background monitoring could not start (${errorMessage(error)}); the window is watched now instead` })
    return null
  }
  const watcher = { pid, host: hostName(), startedAt: new Date().toISOString() }
  for (const step of steps) {
    state.outputs.set(step.id, { watcher })
    await store.upsertStep({
      runId, stepId: step.id, pass: 'run', phase: step.phase, title: step.title, status: 'pending', data: { watcher },
      summary: `watched in the background (pid ${pid}) once the run has finished: rollout monitor ${runId}`,
    })
  }
  await state.recorder.emit({ type: 'monitor-detached', stepIds: steps.map((s) => s.id), pid })
  return pid
}

/** The longest window among the detached monitor steps, as ` (2m)`; empty when none says. */
function monitorWindow(state: RunState, steps: PlannedStep[]): string {
  const windows = steps.filter((s) => s.kind === 'monitor').map((s) => (typeof s.options.window === 'number' ? s.options.window : state.environment.monitor.window))
  return windows.length ? ` (${formatDuration(Math.max(...windows))})` : ''
}

async function finishRollback(state: RunState, deps: Pick<EngineDeps, 'rollbackSignal'>, reason: string): Promise<{ status: RunStatus; summary: string }> {
  // The rollback must not be stopped by the Ctrl-C that may have caused it; only by its own signal.
  const rollbackState: RunState = { ...state, signal: deps.rollbackSignal ?? new AbortController().signal }
  const result = await rollBack(rollbackState, reason)
  state.nextSeq = rollbackState.nextSeq
  return { status: result.status, summary: `${reason} → ${result.summary}` }
}

/** Resume and rollback use today's config; it must still describe the same steps as the record. */
export function assertSamePlan(record: RunRecord, plan: Plan): void {
  const before = record.plan.steps.map((s) => `${s.id}:${s.kind}`).join(',')
  const now = plan.steps.map((s) => `${s.id}:${s.kind}`).join(',')
  if (before !== now) {
    throw new RolloutError('USAGE', `the config's plan for ${record.environment} changed since run ${record.id} started`, 'restore the config the run used, then try again')
  }
}

/** Tells the team's channels that a run ended badly; a channel that is down is recorded as a warning. */
async function notifyOutcome(state: RunState, deps: EngineDeps, status: RunStatus, summary: string, incidentReport: string, durationMs: number): Promise<void> {
  // A run ends as abandoned only in the record, marked by a newer run: never here.
  if (!deps.notifyOutcome || status === 'passed' || status === 'running' || status === 'rolling-back' || status === 'abandoned') return
  const failed = (await state.store.getSteps(state.runId)).find((s) => s.pass === 'run' && (s.status === 'failed' || s.status === 'cancelled'))
  const failures = await deps.notifyOutcome({
    status,
    runId: state.runId,
    environmentName: state.environmentName,
    environment: state.environment,
    summary,
    ...(failed ? { failedStep: { id: failed.stepId, title: failed.title, ...(failed.summary ? { summary: failed.summary } : {}) } } : {}),
    incidentReport,
    durationMs,
    contacts: state.config.contacts,
    redactor: state.redactor,
  })
  for (const r of failures) await state.recorder.emit({ type: 'warning', message: `could not notify ${r.channel}: ${r.detail ?? 'failed'}` })
}
