import { hostName } from '../shared/host.js'
import { processAlive } from '../shared/process/alive.js'
import { setTimeout as sleep } from 'node:timers/promises'
import type { MonitorOutcome, RolloutEvent } from './events.js'
import type { RunRecord, StepRecord, Store } from './store.js'

/** What `rollout monitor <run>` found: how the window ended, or why there was none to follow. */
export interface FollowResult {
  outcome: MonitorOutcome | 'skipped' | 'none' | 'watcher-gone'
  summary: string
}

const IN_PROGRESS = new Set(['running', 'rolling-back'])

/**
 * Follows a run's monitoring window in its record: hands every event from the window's start on to
 * `onEvent` (the samples are the monitor step's output lines) until the window's outcome is known.
 * A detached window ends with the watcher's `monitor-finished`; one kept inside the run ends with
 * the run. A watcher that died without a word is reported, never waited for forever.
 */
export async function followMonitor(store: Store, runId: string, opts: { onEvent: (e: RolloutEvent) => void; pollMs?: number; signal?: AbortSignal }): Promise<FollowResult> {
  let shown = 0
  let started = false
  for (;;) {
    const events = await store.getEvents(runId)
    for (const e of events.slice(shown)) {
      if (!started && e.type === 'phase-started' && e.phase === 'monitor' && e.pass === 'run') started = true
      if (started) opts.onEvent(e)
      if (e.type === 'monitor-finished') return { outcome: e.outcome, summary: e.summary }
    }
    shown = events.length
    const run = await store.getRun(runId)
    if (!run) return { outcome: 'none', summary: `run ${runId} is not in the record` }
    const detached = events.find((e) => e.type === 'monitor-detached')
    if (detached) {
      const steps = await store.getSteps(runId)
      const watcher = watcherOf(steps)
      if (watcher && !alive(watcher)) {
        // It may have written its last word just before it exited.
        const late = (await store.getEvents(runId)).slice(shown)
        for (const e of late) opts.onEvent(e)
        const last = late.find((e) => e.type === 'monitor-finished')
        if (last && last.type === 'monitor-finished') return { outcome: last.outcome, summary: last.summary }
        return {
          outcome: 'watcher-gone',
          summary: `the background watcher (pid ${watcher.pid}) stopped before the window ended; nothing watches this release now. Undo it if it misbehaves: rollout rollback ${runId}`,
        }
      }
    } else if (!IN_PROGRESS.has(run.status)) {
      return keptByTheRun(run, await store.getSteps(runId))
    }
    if (opts.signal?.aborted) return { outcome: 'stopped', summary: 'stopped following; the window goes on' }
    await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal }).catch(() => undefined)
  }
}

/** The outcome of a window the run kept itself (not detached), read from its finished record. */
export function keptByTheRun(run: RunRecord, steps: readonly StepRecord[]): FollowResult {
  const monitors = steps.filter((s) => s.pass === 'run' && s.phase === 'monitor')
  const planned = run.plan.steps.filter((s) => s.phase === 'monitor')
  if (!planned.length) return { outcome: 'none', summary: `run ${run.id} has no monitoring step` }
  const ran = monitors.filter((s) => s.status !== 'skipped')
  if (!ran.length) {
    const why = monitors.map((s) => s.summary).filter(Boolean)
    return why.length
      ? { outcome: 'skipped', summary: `monitoring was skipped: ${why.join('; ')}` }
      : { outcome: 'stopped', summary: `run ${run.id} ended as ${run.status} before its monitoring window` }
  }
  const failed = ran.find((s) => s.status === 'failed' || s.status === 'cancelled')
  const said = (s: StepRecord) => `"${s.stepId}" ${s.status}: ${s.summary ?? ''}`
  if (failed) {
    if (run.status === 'rolled-back') return { outcome: 'rolled-back', summary: `${said(failed)} → ${run.summary ?? 'rolled back'}` }
    if (run.status === 'rollback-failed') return { outcome: 'rollback-failed', summary: `${said(failed)} → ${run.summary ?? 'the rollback did not complete'}` }
    return { outcome: 'stopped', summary: `${said(failed)}; the run is ${run.status}` }
  }
  const alerted = ran.filter((s) => s.data.breach)
  if (alerted.length) return { outcome: 'alerted', summary: alerted.map(said).join('; ') }
  return { outcome: 'quiet', summary: ran.map(said).join('; ') }
}

interface Watcher {
  pid: number
  host: string
}

function watcherOf(steps: readonly StepRecord[]): Watcher | null {
  for (const s of steps) {
    const w = s.data.watcher as Partial<Watcher> | undefined
    if (w && typeof w.pid === 'number' && typeof w.host === 'string') return { pid: w.pid, host: w.host }
  }
  return null
}

/** Whether the watcher still runs; one on another host is taken to. */
function alive(w: Watcher): boolean {
  return w.host !== hostName() || processAlive(w.pid)
}
