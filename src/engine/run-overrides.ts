import type { Plan, PlannedStep } from '../plan/types.js'
import { RolloutError } from '../shared/errors.js'

/**
 * What one run changes in its plan from the command line (`run --monitor 2m`, `--no-monitor`,
 * `--detach-monitor`). Kept in the recorded plan, so a resumed run or a background watcher applies
 * the same changes as the run that started. Pure.
 */
export interface RunOverrides {
  /** The monitoring window for this run, in ms. */
  monitorWindowMs?: number
  /** Step id → why the step is skipped in this run. */
  skip?: Record<string, string>
  /** The monitor phase is watched by a background process once the run has finished. */
  detachMonitor?: boolean
  /** A first deploy (`--first`): nothing was live before the run. */
  first?: boolean
}

export type PlanWithOverrides = Plan & { overrides?: RunOverrides }

/** What the user asked for: a window, no monitoring at all, or the window in the background. */
export interface MonitorRequest {
  /** ms, or false for `--no-monitor`. */
  monitor?: number | false
  detachMonitor?: boolean
}

/** Room the monitor step gets beyond its window for its last sample and its evidence. */
const MONITOR_GRACE_MS = 5 * 60_000

const isMonitor = (s: PlannedStep) => s.kind === 'monitor'

/**
 * The overrides a run's flags and its environment's `monitor.detach` ask for, checked against the
 * plan: a window needs a monitor step to apply to.
 */
export function monitorOverrides(plan: Plan, request: MonitorRequest, detachByDefault: boolean): RunOverrides {
  const monitors = plan.steps.filter(isMonitor)
  if (request.monitor === false) {
    return monitors.length ? { skip: Object.fromEntries(monitors.map((s) => [s.id, 'monitoring switched off for this run (--no-monitor)'])) } : {}
  }
  const o: RunOverrides = {}
  if (typeof request.monitor === 'number') {
    if (!monitors.length) throw new RolloutError('USAGE', `--monitor: the plan of ${plan.environment} has no monitor step to give a window to`)
    if (!(request.monitor > 0)) throw new RolloutError('USAGE', '--monitor: expected a window longer than zero, e.g. 2m or 30s')
    o.monitorWindowMs = request.monitor
  }
  if ((request.detachMonitor ?? detachByDefault) && plan.steps.some((s) => s.phase === 'monitor')) o.detachMonitor = true
  return o
}

/**
 * A first deploy's overrides: the steps that talk to the running app and come before the deploy
 * (all of them in a check, which has no deploy) are skipped, since nothing runs yet. The same steps
 * after the deploy run as usual: they are what proves the new app.
 */
export function firstDeployOverrides(plan: Plan, needsLiveApp: (kind: string) => boolean): RunOverrides {
  const deployAt = plan.steps.findIndex((s) => s.kind === 'deploy')
  const before = deployAt === -1 ? plan.steps : plan.steps.slice(0, deployAt)
  const skip = Object.fromEntries(before.filter((s) => needsLiveApp(s.kind)).map((s) => [s.id, 'first deploy (--first): nothing is live yet to check']))
  return { first: true, skip }
}

/** Two sets of overrides as one: skips add up, the rest is taken from whichever sets it. */
export function mergeOverrides(a: RunOverrides, b: RunOverrides): RunOverrides {
  const skip = { ...a.skip, ...b.skip }
  return { ...a, ...b, ...(Object.keys(skip).length ? { skip } : {}) }
}

/** The plan with the overrides applied; a window goes into every monitor step's options, its timeout stretched to fit. */
export function applyOverrides(plan: Plan, overrides: RunOverrides): PlanWithOverrides {
  if (Object.keys(overrides).length === 0) return plan
  const windowMs = overrides.monitorWindowMs
  const steps = windowMs === undefined
    ? plan.steps
    : plan.steps.map((s) => (isMonitor(s) ? { ...s, options: { ...s.options, window: windowMs }, timeoutMs: Math.max(s.timeoutMs, windowMs + MONITOR_GRACE_MS) } : s))
  return { ...plan, steps, overrides }
}

/** The overrides a recorded plan carries (nothing for runs recorded before they existed). */
export function recordedOverrides(plan: Plan): RunOverrides {
  return (plan as PlanWithOverrides).overrides ?? {}
}

/** Whether the recorded run is a first deploy. */
export function isFirstDeploy(plan: Plan): boolean {
  return recordedOverrides(plan).first === true
}

/** Why a step is skipped in this run, or null. */
export function skipReason(plan: Plan, stepId: string): string | null {
  return recordedOverrides(plan).skip?.[stepId] ?? null
}

/** The steps a background watcher runs after the run: the monitor phase, when it is detached. */
export function detachedSteps(plan: Plan): PlannedStep[] {
  const o = recordedOverrides(plan)
  return o.detachMonitor ? plan.steps.filter((s) => s.phase === 'monitor' && !o.skip?.[s.id]) : []
}
