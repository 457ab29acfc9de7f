import os from 'node:os'
import { hostName } from '../shared/host.js'
import { processAlive } from '../shared/process/alive.js'
import type { LockRecord, Store } from './store.js'
import type { RunLiveness } from './step-kind.js'
import { LockedError, type LockOwner } from '../shared/errors.js'

export function currentOwner(runId: string, env: NodeJS.ProcessEnv = process.env): LockOwner {
  let user = 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    user = env.USER ?? 'unknown'
  }
  const ci = ciJob(env)
  return { runId, user, host: hostName(), pid: process.pid, since: new Date().toISOString(), ...(ci ? { ci } : {}) }
}

/** The CI job running this process, by its address (GitHub Actions), so a lock's holder can be found. */
function ciJob(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_RUN_ID) return undefined
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  return env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : `GitHub Actions run ${env.GITHUB_RUN_ID}`
}

/**
 * Why a held lock may be taken over, or null when its holder is alive. The lease is judged by the
 * store's clock (`readAt`); the holder's pid only on its own host: a live holder elsewhere is
 * never taken over before its lease runs out.
 */
export function staleReason(lock: LockRecord): string | null {
  if (Date.parse(lock.leaseUntil) < Date.parse(lock.readAt)) return `its lease expired at ${lock.leaseUntil} (owner stopped renewing it)`
  if (lock.owner.host === hostName() && !processAlive(lock.owner.pid)) {
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
export async function acquireEnvironmentLock(store: Store, environment: string, owner: LockOwner, leaseMs: number, onLost?: (reason: string) => void): Promise<HeldLock> {
  const attempt = await store.acquireLock(environment, owner, leaseMs, (lock) => staleReason(lock))
  if (!attempt.acquired) throw new LockedError(environment, attempt.owner)
  // A renewal that fails (a dropped connection, a database fail-over) is tried again at the next
  // beat. The lock counts as lost once the lease ran out unrenewed, judged at every beat whether or
  // not the store has answered (a write that is still being retried holds no lease), or when
  // another run holds it. A renewal counts from when it was sent: the lease cannot have started later.
  let renewedAt = Date.now()
  let lost = false
  let lastError = 'the store did not answer'
  const heartbeat = setInterval(() => {
    const unrenewedMs = Date.now() - renewedAt
    if (unrenewedMs > leaseMs) return lose(`its lease could not be renewed for ${Math.round(unrenewedMs / 1000)} s: ${lastError}`)
    const sentAt = Date.now()
    void store.renewLock(environment, owner.runId, leaseMs).then(
      (held) => {
        if (!held) lose('another run took it over, or it was forced open')
        else if (!lost) renewedAt = Math.max(renewedAt, sentAt)
      },
      (error: Error) => {
        lastError = error.message
      },
    )
  }, Math.max(200, Math.floor(leaseMs / 3)))
  heartbeat.unref()
  const lose = (reason: string) => {
    if (lost) return
    lost = true
    onLost?.(reason)
  }
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
  if (run.plan?.only && run.host !== undefined && run.pid !== undefined) return run.host === hostName() && !processAlive(run.pid)
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
