import { existsSync } from 'node:fs'
import type { EventListener } from '../engine/events.js'
import { onlyPhases, resumeRun, rollbackRun, startRun, type EngineDeps, type MonitorWatcherStarter, type RunResult } from '../engine/run.js'
import { applyOverrides, firstDeployOverrides, mergeOverrides, monitorOverrides, recordedOverrides } from '../engine/run-overrides.js'
import path from 'node:path'
import { CONFIG_OBJECT } from '../config/load.js'
import { RolloutError } from '../shared/errors.js'
import type { Phase } from '../plan/phases.js'
import type { RunRecord, Store } from '../engine/store.js'
import { writeIncidentReport } from '../reports/write-incident.js'
import { evidenceKeeper } from './evidence.js'
import { refuseFirstWhenLive } from '../steps/deploy/first-deploy.js'
import { planEnvironment, type PlannedEnvironment } from './environment.js'
import { findRun } from './records.js'
import { withStore } from './store.js'
import type { ConfigSource } from './config-source.js'

/** How a caller follows and stops a run: events as they are recorded, Ctrl-C as signals. */
export interface RunControls {
  onEvent?: EventListener
  /** Running steps are told to stop and the run is recorded as cancelled. */
  signal?: AbortSignal
  /** Stops a rollback in progress (a second Ctrl-C); a rollback ignores `signal`. */
  rollbackSignal?: AbortSignal
  /** Starts the background process that watches a detached monitoring window; returns its pid. The CLI provides it. */
  startMonitorWatcher?: MonitorWatcherStarter
}

export interface RunInput extends ConfigSource, RunControls {
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

export type { RunResult, MonitorWatcherStarter }

/** `rollout run <env>` (and `check`, with `phases`): the whole runbook, with the rollback after the point of no return. */
export async function runRollout(input: RunInput): Promise<RunResult> {
  const opened = await planEnvironment(input)
  let plan = input.phases ? onlyPhases(opened.plan, input.phases) : opened.plan
  const monitor = input.phases ? {} : monitorOverrides(plan, input, opened.environment.monitor.detach)
  plan = applyOverrides(plan, input.first ? mergeOverrides(monitor, firstDeployOverrides(plan, (kind) => opened.kinds.find(kind)?.needsLiveApp === true)) : monitor)
  if (input.first) await refuseFirstWhenLive(opened.environment, opened.root, opened.environmentName, opened.redactor, opened.env)
  return withStore(opened.store, (store) => startRun({ ...opened, plan }, engineDeps(opened, store, input), { ...(input.release ? { release: input.release } : {}) }))
}

/** `rollout check <env>`: the pre-flight and environment checks only; changes nothing and takes no lock. */
export function checkRollout(input: Omit<RunInput, 'monitor' | 'detachMonitor' | 'release'>): Promise<RunResult> {
  return runRollout({ ...input, phases: input.phases ?? ['preflight', 'environment'] })
}

export interface RecordedRunInput extends ConfigSource, RunControls {
  /** A run id, or a unique prefix of one. */
  runId: string
}

/** `rollout resume <run>`: continues an interrupted run from its record; finished steps are not run again. */
export async function resumeRollout(input: RecordedRunInput): Promise<RunResult> {
  const { record, opened } = await openRecordedRun(input, input.runId)
  return withStore(opened.store, (store) => resumeRun(opened, engineDeps(opened, store, input), record))
}

export interface RollbackInput extends ConfigSource, RunControls {
  /** A run id (or prefix), or an environment name for its newest run that changed something. */
  target: string
  reason?: string
  /** Roll back even though a newer run changed the environment since. */
  force?: boolean
}

/**
 * `rollout rollback <run|env>`: undoes a run (the newest one that changed the environment, for an
 * env). Refused when a newer run changed the environment since, unless `force`.
 */
export async function rollbackRollout(input: RollbackInput): Promise<RunResult> {
  const { record, opened } = await openRecordedRun(input, input.target, true)
  return withStore(opened.store, (store) => rollbackRun(opened, engineDeps(opened, store, input), record, { ...(input.reason ? { reason: input.reason } : {}), force: Boolean(input.force) }))
}

/**
 * A recorded run and its environment as today's config describes it, with the plan shaped as the
 * run's record says (its phases, its own overrides). The config the run used is the default.
 */
export async function openRecordedRun(source: ConfigSource, target: string, allowEnvironment = false): Promise<{ record: RunRecord; opened: PlannedEnvironment }> {
  const record = await findRun(source, target, allowEnvironment)
  if (source.config === undefined && !source.configPath && path.basename(record.configFile) === CONFIG_OBJECT) {
    throw new RolloutError('USAGE', `run ${record.id} was started by a program with a config object: there is no config file to read again`, 'resume or roll it back from that program (the library\'s resumeRollout / rollbackRollout with the same config), or pass --config <file> with an equivalent config')
  }
  // The run's own config file when this machine has it; from another machine (a shared store), the
  // config of the project here, found as every command finds it.
  const useRecorded = source.config === undefined && !source.configPath && existsSync(record.configFile)
  const fromRecord = useRecorded ? { configPath: record.configFile } : {}
  const opened = await planEnvironment({ ...source, ...fromRecord, environment: record.environment })
  const only = record.plan.only ? onlyPhases(opened.plan, record.plan.only) : opened.plan
  return { record, opened: { ...opened, plan: applyOverrides(only, recordedOverrides(record.plan)) } }
}

/** The engine's dependencies for one operation: this store, the config's kinds, the reports and the team's channels. */
export function engineDeps(opened: PlannedEnvironment, store: Store, controls: RunControls): EngineDeps {
  const { onEvent, signal, rollbackSignal, startMonitorWatcher } = controls
  return {
    store,
    kinds: opened.kinds,
    env: opened.env,
    ...(onEvent ? { onEvent } : {}),
    ...(signal ? { signal } : {}),
    ...(rollbackSignal ? { rollbackSignal } : {}),
    ...(startMonitorWatcher ? { startMonitorWatcher } : {}),
    ...(opened.config.evidence ? { keepEvidence: evidenceKeeper(opened.config.evidence, opened.env) } : {}),
    writeIncidentReport: (run) => writeIncidentReport(run.store, run.stateDir, run.runId, run.redactor, run.contacts),
    notifyOutcome: async (n) => {
      const { notifyRunOutcome } = await import('../steps/announce/outcome.js')
      const results = await notifyRunOutcome({ ...n, outcome: n.status as 'failed', log: () => undefined })
      return results.filter((r) => r.status === 'failed')
    },
  }
}
