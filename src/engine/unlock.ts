import { hostName } from '../shared/host.js'
import { processAlive } from '../shared/process/alive.js'
import { LockedError } from '../shared/errors.js'
import type { Store } from './store.js'
import { currentOwner } from './lock.js'

/** `rollout unlock <env> --force`: removes the lock and notes who forced it in the holder's record. */
export async function forceUnlock(store: Store, environment: string): Promise<string> {
  const held = await store.getLock(environment)
  // --force is for a holder that is gone; one alive on this host is still running: two runs would overlap.
  if (held && held.owner.host === hostName() && processAlive(held.owner.pid)) {
    throw new LockedError(environment, held.owner, `its process ${held.owner.pid} is alive on this host: wait for it, or stop it first (Ctrl-C, or kill ${held.owner.pid}), then unlock`)
  }
  const lock = await store.forceUnlock(environment)
  if (!lock) return `${environment} was not locked`
  const me = currentOwner(lock.owner.runId)
  const message = `lock on ${environment} forced open by ${me.user}@${me.host} (pid ${me.pid}); it was held by run ${lock.owner.runId} (${lock.owner.user}@${lock.owner.host}, pid ${lock.owner.pid}) since ${lock.owner.since}`
  if (await store.getRun(lock.owner.runId)) {
    await store.appendEvent({ type: 'warning', message, runId: lock.owner.runId, at: new Date().toISOString() })
  }
  return message
}
