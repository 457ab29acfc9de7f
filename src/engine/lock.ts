import os from 'node:os'
import { processAlive } from '../shared/process/alive.js'
import type { LockRecord, Store } from './store.js'
import type { RunLiveness } from './step-kind.js'
import { LockedError, type LockOwner } from '../shared/errors.js'

export function currentOwner(runId: string): LockOwner {
  let user = 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    user = process.env.USER ?? 'unknown'
  }
  return { runId, user, host: os.hostname(), pid: process.pid, since: new Date().toISOString() }
}

/** Why a held lock may be taken over, or null when its holder is alive. */
export function staleReason(lock: LockRecord, now = Date.now()): string | null {
  if (Date.parse(lock.leaseUntil) < now) return `its lease expired at ${lock.leaseUntil} (owner stopped renewing it)`
  if (lock.owner.host === os.hostname() && !processAlive(lock.owner.pid)) {
    return `its owner process ${lock.owner.pid} on this host is gone`
  }
  return null
}

export interface HeldLock {
  takenOver?: { owner: LockOwner; reason: string }
  release(): Promise<void>
}

/**
 * One run per environment (a check, which changes nothing, takes none). The lease is renewed by a heartbeat while the run lives; a crashed
 * owner stops renewing, and the next run takes the lock over once the lease has run out.
 */
export async function acquireEnvironmentLock(store: Store, environment: string, owner: LockOwner, leaseMs: number): Promise<HeldLock> {
  const attempt = await store.acquireLock(environment, owner, leaseMs, (lock) => staleReason(lock))
  if (!attempt.acquired) throw new LockedError(environment, attempt.owner)
  const heartbeat = setInterval(() => {
    void store.renewLock(environment, owner.runId, leaseMs).catch(() => undefined)
  }, Math.max(200, Math.floor(leaseMs / 3)))
  heartbeat.unref()
  let released = false
  return {
    ...(attempt.tookOver ? { takenOver: attempt.tookOver } : {}),
    async release() {
      if (released) return
      released = true
      clearInterval(heartbeat)
      await store.releaseLock(environment, owner.runId)
    },
  }
}

/** A run recorded as in progress whose process no longer holds its lock died mid-way. */
export function isInterrupted(run: { id: string; status: string; host?: string; pid?: number; plan?: { only?: unknown } }, lock: LockRecord | null): boolean {
  if (run.status !== 'running' && run.status !== 'rolling-back') return false
  // A check holds no lock: it died mid-way when its process on this host is gone.
  if (run.plan?.only && run.host !== undefined && run.pid !== undefined) return run.host === os.hostname() && !processAlive(run.pid)
  return !lock || lock.owner.runId !== run.id || staleReason(lock) !== null
}

/** Whether the record's run `runId` is still going, as seen from the run `self` (always live). */
export async function runLiveness(store: Store, self: string, runId: string): Promise<RunLiveness> {
  if (runId === self) return 'live'
  const run = await store.getRun(runId)
  if (!run) return 'unknown'
  if (run.status !== 'running' && run.status !== 'rolling-back') return 'ended'
  return isInterrupted(run, await store.getLock(run.environment)) ? 'ended' : 'live'
}
