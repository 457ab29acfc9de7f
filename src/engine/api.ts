import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { setMaxListeners } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { loadConfig, resolveEnvironment, resolveGlobals, type LoadedConfig } from '../config/load.js'
import { Redactor } from '../config/redact.js'
import type { ResolvedEnvironment } from '../config/types.js'
import { buildPlan, pointOfNoReturn } from '../plan/build.js'
import type { Phase } from '../plan/phases.js'
import { PHASES } from '../plan/phases.js'
import type { Plan, PlannedStep } from '../plan/types.js'
import { findStepKind, knownStepKinds } from '../steps/registry.js'
import { SqliteStore } from '../adapters/store/sqlite.js'
import { writeIncidentReport } from '../reports/write-incident.js'
import { RolloutError } from '../shared/errors.js'
import { findRunId } from './run-id.js'
import type { EventListener, RunStatus } from './events.js'
import { acquireEnvironmentLock, currentOwner, type HeldLock } from './lock.js'
import { Recorder } from './recorder.js'
import type { RunState } from './run-state.js'
import type { RunRecord, StepRecord, Store } from './store.js'
import { runPhases } from './phases.js'
import { guardStaleResume, guardStaleRollback, newerChanges } from './superseded.js'
import { rollBack } from './rollback.js'
import { errorMessage, type StepResult } from './execute-step.js'
import { applyOverrides, detachedSteps, firstDeployOverrides, mergeOverrides, monitorOverrides, recordedOverrides, type RunOverrides } from './run-overrides.js'
import { refuseFirstWhenLive } from '../steps/deploy/first-deploy.js'
import { formatDuration } from '../config/duration.js'

export interface CommonOptions {
  cwd?: string
  configPath?: string
  onEvent?: EventListener
  /** Ctrl-C: running steps are told to stop and the run is recorded as cancelled. */
  signal?: AbortSignal
  /** Stops a rollback in progress (a second Ctrl-C); a rollback ignores `signal`. */
  rollbackSignal?: AbortSignal
  env?: NodeJS.ProcessEnv
  /** Starts the background process that watches a detached monitoring window; returns its pid. The CLI provides it. */
  startMonitorWatcher?: MonitorWatcherStarter
}

export interface RunOptions extends CommonOptions {
  environment: string
  /** The release to deploy (a commit, tag or version); the config's `release` otherwise. */
  release?: string
  /** Run only these phases (`rollout check`). Such a run changes nothing, so it never rolls back. */
  phases?: Phase[]
  /** The monitoring window for this run in ms (`--monitor 2m`), or false to skip it (`--no-monitor`). */
  monitor?: number | false
  /** Watch the monitoring window in a background process after the run (default: `monitor.detach`). */
  detachMonitor?: boolean
  /** A first deploy: nothing is live yet, so the gates that talk to the app before the deploy are skipped. */
  first?: boolean
}

export type MonitorWatcherStarter = (run: { runId: string; configFile: string; cwd: string; stateDir: string }) => number

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

interface Prepared {
  loaded: LoadedConfig
  state: Omit<RunState, 'runId' | 'recorder' | 'signal' | 'outputs' | 'crossed' | 'nextSeq' | 'interrupted'>
  leaseMs: number
}

const ENGINE = { findKind: findStepKind }

/**
 * Loads and checks everything a run needs, before any lock is taken or record written. `overrides`
 * are the run's own changes to the plan: from its flags, or read back from its record.
 */
export async function prepare(opts: CommonOptions & { environment: string; phases?: Phase[]; overrides?: (plan: Plan, env: ResolvedEnvironment) => RunOverrides }): Promise<Prepared> {
  const loaded = await loadConfig({ cwd: opts.cwd ?? process.cwd(), configPath: opts.configPath, env: opts.env })
  const redactor = new Redactor()
  const { config, environment } = await resolveEnvironment(loaded, opts.environment, redactor)
  let plan = buildPlan({ environmentName: opts.environment, environment, configFile: loaded.file, findKind: findStepKind, knownKinds: knownStepKinds })
  if (opts.phases) plan = onlyPhases(plan, opts.phases)
  if (opts.overrides) plan = applyOverrides(plan, opts.overrides(plan, environment))
  const stateDir = path.resolve(loaded.root, config.stateDir)
  return {
    loaded,
    leaseMs: environment.lock.lease,
    state: { store: openStore(stateDir), plan, config, environmentName: opts.environment, environment, redactor, stateDir, ...ENGINE },
  }
}

function onlyPhases(plan: Plan, phases: Phase[]): Plan {
  const steps = plan.steps.filter((s) => phases.includes(s.phase))
  return { ...plan, steps, pointOfNoReturn: pointOfNoReturn(steps), rollbackProofPhases: [], only: phases }
}

export function openStore(stateDir: string): Store {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 })
    // An existing folder keeps its mode through mkdir: tightened here, whatever the umask made it.
    if ((statSync(stateDir).mode & 0o077) !== 0) chmodSync(stateDir, 0o700)
  } catch (error) {
    throw new RolloutError('STATE', `cannot create the state folder ${stateDir}: ${(error as Error).message}`, 'check its permissions', { cause: error })
  }
  return new SqliteStore(path.join(stateDir, 'rollout.db'))
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

/** Plans without running: what `rollout plan` prints. */
export async function planRollout(opts: CommonOptions & { environment: string; phases?: Phase[] }): Promise<Plan> {
  const loaded = await loadConfig({ cwd: opts.cwd ?? process.cwd(), configPath: opts.configPath, env: opts.env })
  const { environment } = await resolveEnvironment(loaded, opts.environment, new Redactor())
  const plan = buildPlan({ environmentName: opts.environment, environment, configFile: loaded.file, findKind: findStepKind, knownKinds: knownStepKinds })
  return opts.phases ? onlyPhases(plan, opts.phases) : plan
}

/** `rollout run <env>`: the whole runbook, with the rollback after the point of no return. */
export async function runRollout(opts: RunOptions): Promise<RunResult> {
  const prepared = await prepare({
    ...opts,
    overrides: (plan, env) => {
      const monitor = opts.phases ? {} : monitorOverrides(plan, opts, env.monitor.detach)
      return opts.first ? mergeOverrides(monitor, firstDeployOverrides(plan, (kind) => findStepKind(kind)?.needsLiveApp === true)) : monitor
    },
  })
  if (opts.first) {
    try {
      await refuseFirstWhenLive(prepared.state.environment, prepared.loaded.root, opts.environment, prepared.state.redactor)
    } catch (error) {
      prepared.state.store.close()
      throw error
    }
  }
  if (detachedSteps(prepared.state.plan).length && !opts.startMonitorWatcher) {
    prepared.state.store.close()
    throw new RolloutError('USAGE', 'detached monitoring needs a way to start the background watcher (the CLI passes one)', 'run it with `rollout run`, or leave monitor.detach off')
  }
  const runId = newRunId()
  const release = opts.release ?? prepared.state.environment.release ?? null
  const { state, finish } = await begin(prepared, runId, opts, async (store, owner) => {
    await store.createRun({
      id: runId, environment: opts.environment, status: 'running', startedAt: owner.since, finishedAt: null,
      user: owner.user, host: owner.host, pid: owner.pid, plan: prepared.state.redactor.redactValue(prepared.state.plan),
      release, crossedAt: null, summary: null, configFile: prepared.loaded.file,
    })
  })
  if (release) state.environment = { ...state.environment, release }
  await state.recorder.emit({ type: 'run-started', environment: opts.environment, resumed: false, steps: state.plan.steps.length, pointOfNoReturn: state.plan.pointOfNoReturn })
  return finish(await drive(state, { ...opts, configFile: prepared.loaded.file }, new Map()))
}

/** `rollout resume <run>`: continues an interrupted run from its record; finished steps are not run again. */
export async function resumeRollout(opts: CommonOptions & { runId: string }): Promise<RunResult> {
  const record = await readRun(opts)
  if (!['running', 'cancelled', 'rolling-back'].includes(record.status)) {
    throw new RolloutError('USAGE', `run ${record.id} ended as ${record.status}; there is nothing to resume${record.status === 'abandoned' && record.summary ? ` (${record.summary})` : ''}`)
  }
  const prepared = await prepare({ ...opts, environment: record.environment, configPath: opts.configPath ?? record.configFile, phases: record.plan.only, overrides: () => recordedOverrides(record.plan) })
  assertSamePlan(record, prepared.state.plan)
  const { state, finish } = await begin(prepared, record.id, opts, async (store) => {
    guardStaleResume(record, await newerChanges(store, record))
    await store.updateRun(record.id, { status: 'running', pid: process.pid })
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
  if (record.status === 'rolling-back') return finish(await finishRollback(state, opts, 'resumed an interrupted rollback'))
  return finish(await drive(state, { ...opts, configFile: prepared.loaded.file }, done))
}

/**
 * `rollout rollback <run|env>`: undoes a run (the newest one that changed the environment, for an
 * env). Refused when a newer run changed the environment since, unless `force`.
 */
export async function rollbackRollout(opts: CommonOptions & { target: string; reason?: string; force?: boolean }): Promise<RunResult> {
  const record = await readRun({ ...opts, runId: opts.target }, true)
  if (record.status === 'rolled-back') throw new RolloutError('USAGE', `run ${record.id} is already rolled back`)
  const prepared = await prepare({ ...opts, environment: record.environment, configPath: opts.configPath ?? record.configFile, phases: record.plan.only, overrides: () => recordedOverrides(record.plan) })
  assertSamePlan(record, prepared.state.plan)
  let forced: string | null = null
  const { state, finish } = await begin(prepared, record.id, opts, async (store) => {
    // Judged under the lock, so no newer run can start between the check and the undo.
    forced = guardStaleRollback(record, await newerChanges(store, record), Boolean(opts.force))
  })
  if (forced) await state.recorder.emit({ type: 'warning', message: forced })
  state.crossed = true
  await restoreFromRecord(state)
  return finish(await finishRollback(state, opts, opts.reason ?? `rollback requested by ${state.config.contacts.deployer ?? currentOwner(record.id).user}`))
}

/** Takes the lock, opens the record, wires Ctrl-C; `finish` releases everything whatever happened. */
async function begin(prepared: Prepared, runId: string, opts: CommonOptions, create: (store: Store, owner: ReturnType<typeof currentOwner>) => Promise<void>) {
  const { store, redactor } = prepared.state
  const owner = currentOwner(runId)
  // A check (only some phases) changes nothing, so it takes no lock: a run may start while one runs.
  const lock: HeldLock = prepared.state.plan.only
    ? { release: async () => {} }
    : await acquireEnvironmentLock(store, prepared.state.environmentName, owner, prepared.leaseMs).catch((error) => {
        store.close()
        throw error
      })
  try {
    await create(store, owner)
  } catch (error) {
    await lock.release()
    store.close()
    throw error
  }
  const recorder = new Recorder(store, runId, redactor, opts.onEvent ? [opts.onEvent] : [])
  if (lock.takenOver) {
    await recorder.emit({ type: 'lock-taken-over', environment: prepared.state.environmentName, previous: lock.takenOver.owner, reason: lock.takenOver.reason })
  }
  const state = newRunState(prepared, runId, recorder, opts.signal ?? new AbortController().signal)
  const started = performance.now()
  const finish = async (outcome: Outcome): Promise<RunResult> => {
    try {
      await store.updateRun(runId, { status: outcome.status, summary: redactor.redact(outcome.summary), finishedAt: new Date().toISOString() })
      let incidentReport: string | undefined
      if (outcome.status !== 'passed') {
        incidentReport = await writeIncidentReport(store, state.stateDir, runId, redactor, state.config.contacts)
        if (!state.plan.only) await notifyOutcome(state, outcome.status, outcome.summary, incidentReport, performance.now() - started)
      }
      await recorder.emit({ type: 'run-finished', status: outcome.status, summary: outcome.summary, durationMs: performance.now() - started, ...(incidentReport ? { report: incidentReport } : {}) })
      return {
        runId, environment: state.environmentName, status: outcome.status, summary: redactor.redact(outcome.summary), crossed: state.crossed,
        ...(incidentReport ? { incidentReport } : {}), ...(outcome.monitorWatcher ? { monitorWatcher: outcome.monitorWatcher } : {}),
      }
    } finally {
      await lock.release()
      store.close()
    }
  }
  return { state, finish }
}

/** The state every step of one run shares, before anything is read back from the record. */
export function newRunState(prepared: Prepared, runId: string, recorder: Recorder, signal: AbortSignal): RunState {
  // Every running step listens to the run's signal: a wide phase is fan-out, not a leak.
  setMaxListeners(1000, signal)
  return { ...prepared.state, runId, recorder, signal, outputs: new Map(), crossed: false, nextSeq: 1, interrupted: new Set() }
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
async function drive(state: RunState, opts: CommonOptions & { configFile: string }, done: ReadonlyMap<string, StepResult>): Promise<Outcome> {
  const detached = detachedSteps(state.plan)
  let stopped = await runPhases(state, detached.length ? PHASES.filter((p) => p !== 'monitor') : PHASES, 'run', done)
  if (!stopped && detached.length) {
    const pid = await detachMonitoring(state, opts, detached)
    if (pid !== null) {
      const window = monitorWindow(state, detached)
      return {
        status: 'passed',
        summary: `all ${state.plan.steps.length - detached.length} steps done; the monitoring window${window} is watched in the background (pid ${pid}): rollout monitor ${state.runId}`,
        monitorWatcher: pid,
      }
    }
    // No watcher could start: the window is kept here instead, late but not lost.
    stopped = await runPhases(state, ['monitor'], 'run', done)
  }
  if (!stopped) return { status: 'passed', summary: `all ${state.plan.steps.length} steps done` }
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
  return finishRollback(state, opts, `phase ${stopped.phase}: ${what}`)
}

/**
 * Changes found by steps that were not meant to make any (`environmentChanged` in their data: a
 * rehearsal whose migration command ignored its scratch database and changed the target).
 */
function unexpectedChanges(state: RunState): string[] {
  return [...state.outputs.values()].map((d) => d.environmentChanged).filter((c): c is string => typeof c === 'string')
}

/** Records the detached steps as waiting and starts their watcher; null when it could not start. */
async function detachMonitoring(state: RunState, opts: CommonOptions & { configFile: string }, steps: PlannedStep[]): Promise<number | null> {
  const { store, runId } = state
  let pid: number
  try {
    pid = opts.startMonitorWatcher!({ runId, configFile: opts.configFile, cwd: state.config.root, stateDir: state.stateDir })
  } catch (error) {
    await state.recorder.emit({ type: 'warning', message: `the background monitoring could not start (${errorMessage(error)}); the window is watched now instead` })
    return null
  }
  const watcher = { pid, host: os.hostname(), startedAt: new Date().toISOString() }
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

async function finishRollback(state: RunState, opts: CommonOptions, reason: string): Promise<{ status: RunStatus; summary: string }> {
  // The rollback must not be stopped by the Ctrl-C that may have caused it; only by its own signal.
  const rollbackState: RunState = { ...state, signal: opts.rollbackSignal ?? new AbortController().signal }
  const result = await rollBack(rollbackState, reason)
  state.nextSeq = rollbackState.nextSeq
  return { status: result.status, summary: `${reason} → ${result.summary}` }
}

export async function readRun(opts: CommonOptions & { runId: string }, allowEnvironment = false): Promise<RunRecord> {
  const loaded = await loadConfig({ cwd: opts.cwd ?? process.cwd(), configPath: opts.configPath, env: opts.env })
  const { stateDir } = resolveGlobals(loaded)
  const store = openStore(stateDir)
  try {
    const id = await findRunId(store, opts.runId)
    if (id) return (await store.getRun(id))!
    if (allowEnvironment) {
      const runs = await store.listRuns({ environment: opts.runId, limit: 50 })
      const latest = runs.find((r) => r.crossedAt !== null)
      if (latest && latest.status !== 'rolled-back') return latest
      if (runs.length) throw new RolloutError('USAGE', `no run of "${opts.runId}" left anything to roll back (newest: ${runs[0]!.id}, ${runs[0]!.status})`)
    }
    throw new RolloutError('USAGE', `no run "${opts.runId}" in ${stateDir}`, 'list runs with `rollout history <env>`')
  } finally {
    store.close()
  }
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
async function notifyOutcome(state: RunState, status: RunStatus, summary: string, incidentReport: string, durationMs: number): Promise<void> {
  // A run ends as abandoned only in the record, marked by a newer run: never here.
  if (status === 'passed' || status === 'running' || status === 'rolling-back' || status === 'abandoned') return
  const { notifyRunOutcome } = await import('../steps/announce/outcome.js')
  const failed = (await state.store.getSteps(state.runId)).find((s) => s.pass === 'run' && (s.status === 'failed' || s.status === 'cancelled'))
  const results = await notifyRunOutcome({
    outcome: status,
    runId: state.runId,
    environmentName: state.environmentName,
    environment: state.environment,
    summary,
    ...(failed ? { failedStep: { id: failed.stepId, title: failed.title, summary: failed.summary ?? undefined } } : {}),
    incidentReport,
    durationMs,
    contacts: state.config.contacts,
    redactor: state.redactor,
    log: () => undefined,
  })
  for (const r of results.filter((x) => x.status === 'failed')) {
    await state.recorder.emit({ type: 'warning', message: `could not notify ${r.channel}: ${r.detail ?? 'failed'}` })
  }
}
