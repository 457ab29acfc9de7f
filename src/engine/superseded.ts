import { RolloutError } from '../shared/errors.js'
import { isInterrupted } from './lock.js'
import type { RunRecord, Store } from './store.js'

/** States of a run whose process died (or was cancelled) without bringing it to an end. */
const UNFINISHED = new Set(['running', 'rolling-back', 'cancelled'])

/**
 * When a run crosses its point of no return, every older run of the environment left unfinished is
 * superseded: its process is gone (this run holds the lock) and what it found or changed is no
 * longer what the environment holds, so resuming or rolling it back would act on a state it never
 * saw. Such runs are marked `abandoned`, with the reason; a cancelled run that changed nothing
 * stays cancelled, which is still true.
 */
export async function abandonSuperseded(store: Store, run: RunRecord, crossedAt: string): Promise<RunRecord[]> {
  const older = (await store.listRuns({ environment: run.environment, limit: 200 }))
    .filter((r) => r.id !== run.id && r.startedAt <= run.startedAt && UNFINISHED.has(r.status))
    .filter((r) => r.status !== 'cancelled' || r.crossedAt !== null)
    // A check holds no lock and changes nothing: one still running goes on, it is not abandoned.
    .filter((r) => !(r.plan?.only && r.status === 'running' && !isInterrupted(r, null)))
  for (const r of older) {
    const summary = `abandoned: superseded by run ${run.id}, which changed ${run.environment} from step "${crossedAt}" on; ${r.status === 'cancelled' ? 'this run had been cancelled' : `its process ${r.pid} on ${r.host} was gone`} (it ended as ${r.status}${r.summary ? `: ${r.summary}` : ''})`
    await store.updateRun(r.id, { status: 'abandoned', summary, finishedAt: r.finishedAt ?? new Date().toISOString() })
    await store.appendEvent({ type: 'warning', runId: r.id, at: new Date().toISOString(), message: summary })
  }
  return older
}

/**
 * Runs of the same environment that changed it after `run` started and were not undone: what
 * undoing `run` now would overwrite.
 */
export async function newerChanges(store: Store, run: RunRecord): Promise<RunRecord[]> {
  return (await store.listRuns({ environment: run.environment, limit: 200 }))
    .filter((r) => r.id !== run.id && r.startedAt >= run.startedAt && r.crossedAt !== null && r.status !== 'rolled-back')
}

export function describeRun(r: RunRecord): string {
  return `run ${r.id} (${r.status}${r.release ? `, release ${r.release}` : ''}, started ${r.startedAt} by ${r.user}@${r.host}, changed it from step "${r.crossedAt}" on)`
}

/**
 * A rollback only ever goes back to the state its run found. Once a newer run changed the
 * environment, putting back what the older one found would destroy the newer work: refused unless
 * forced, and then the loss is spelled out. A resume is never forced: the run would go on from a
 * state it never saw.
 */
export function guardStaleRollback(run: RunRecord, newer: RunRecord[], force: boolean): string | null {
  if (!newer.length) return null
  const what = newer.map(describeRun).join('; ')
  const loss = `it would put back what run ${run.id} found before ${run.startedAt}: the database goes back to that run's backup and the app to what was live then, so what ${newer.length === 1 ? 'that run' : 'those runs'} deployed and migrated, and every row written since, would be lost`
  if (!force) {
    throw new RolloutError(
      'USAGE',
      `run ${run.id} is not the newest change to ${run.environment}: ${what}. Rolling it back is refused: ${loss}`,
      `undo the newest run instead (rollout rollback ${newer[0]!.id}), or, accepting that loss, add --force`,
    )
  }
  return `forced rollback of run ${run.id} although ${what}: ${loss}`
}

export function guardStaleResume(run: RunRecord, newer: RunRecord[]): void {
  if (!newer.length) return
  throw new RolloutError(
    'USAGE',
    `run ${run.id} cannot be resumed: ${newer.map(describeRun).join('; ')} changed ${run.environment} since it started, so its plan would go on from a state it never saw`,
    `start a new run: rollout run ${run.environment}`,
  )
}
