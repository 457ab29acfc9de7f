import { runDir } from '../engine/evidence.js'
import type { RolloutEvent } from '../engine/events.js'
import { followMonitor, type FollowResult } from '../engine/follow-monitor.js'
import { findRunId } from '../engine/run-id.js'
import { watchDetachedMonitor, type WatchResult } from '../engine/watch-monitor.js'
import { RolloutError } from '../shared/errors.js'
import type { ConfigSource } from './config-source.js'
import { openRecordedRun, rollbackRollout } from './runs.js'
import { recordPlace, withStore } from './store.js'

export type { FollowResult, WatchResult }

/**
 * The background watcher of a detached monitoring window (`rollout monitor <run> --watcher`): the
 * run's monitor phase once the run has finished, into the run's record; a breach rolls the run back
 * as `rollout rollback <run>` does, lock included.
 */
export async function watchMonitor(input: ConfigSource & { runId: string; onEvent?: (e: RolloutEvent) => void; pollMs?: number }): Promise<WatchResult> {
  const { record, opened } = await openRecordedRun(input, input.runId)
  const rollback = (reason: string) => rollbackRollout({ ...input, configPath: input.configPath ?? record.configFile, target: record.id, reason })
  return withStore(opened.store, (store) =>
    watchDetachedMonitor(opened, { store, kinds: opened.kinds, env: opened.env, ...(input.onEvent ? { onEvent: input.onEvent } : {}) }, record, { ...(input.pollMs ? { pollMs: input.pollMs } : {}), rollback }),
  )
}

/** `rollout monitor <run>`: the window's samples as they come from the record, then how it ended. */
export async function followRun(input: ConfigSource & { runId: string; onEvent: (e: RolloutEvent) => void; signal?: AbortSignal; onFound?: (runId: string) => void }): Promise<FollowResult & { runId: string; runDir: string }> {
  const { stateDir, store: location } = await recordPlace(input)
  return withStore(location, async (store) => {
    const id = await findRunId(store, input.runId)
    if (!id) throw new RolloutError('USAGE', `no run "${input.runId}" in the record`, 'list runs with `rollout history <env>`')
    input.onFound?.(id)
    const result = await followMonitor(store, id, { onEvent: input.onEvent, ...(input.signal ? { signal: input.signal } : {}) })
    return { ...result, runId: id, runDir: runDir(stateDir, id) }
  })
}
