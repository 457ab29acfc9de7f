import { acquireEnvironmentLock, currentOwner } from '../engine/lock.js'
import { newRunId } from '../engine/run.js'
import type { OpenEnvironment } from './environment.js'
import { withStore } from './store.js'

/**
 * Runs `work` holding the environment's lock, as a run does: a restore or a dump while a run
 * migrates would be a disaster. The lock names `<purpose>-<id>` as its holder, so a run refused
 * by it says what holds it. `warn` hears of a stale lock taken over.
 */
export function withEnvironmentLock<T>(opened: OpenEnvironment, purpose: string, work: () => Promise<T>, warn: (line: string) => void): Promise<T> {
  return withStore(opened.store, async (store) => {
    const lock = await acquireEnvironmentLock(store, opened.environmentName, currentOwner(`${purpose}-${newRunId()}`), opened.environment.lock.lease)
    if (lock.takenOver) warn(`took over the lock of ${lock.takenOver.owner.runId}: ${lock.takenOver.reason}`)
    try {
      return await work()
    } finally {
      await lock.release()
    }
  })
}
