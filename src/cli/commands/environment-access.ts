import path from 'node:path'
import { loadConfig, resolveEnvironment } from '../../config/load.js'
import { Redactor } from '../../config/redact.js'
import type { ResolvedEnvironment } from '../../config/types.js'

/** One environment of the config, resolved for a verb that works on it outside a run. */
export interface EnvironmentAccess {
  environmentName: string
  environment: ResolvedEnvironment
  redactor: Redactor
  /** The config's folder: relative paths start here. */
  cwd: string
  stateDir: string
  leaseMs: number
}

export async function openEnvironment(name: string, configPath: string | undefined): Promise<EnvironmentAccess> {
  const loaded = await loadConfig({ cwd: process.cwd(), configPath })
  const redactor = new Redactor()
  const { config, environment } = await resolveEnvironment(loaded, name, redactor)
  return { environmentName: name, environment, redactor, cwd: loaded.root, stateDir: path.resolve(loaded.root, config.stateDir), leaseMs: environment.lock.lease }
}

/**
 * Runs `work` holding the environment's lock, as a run does: a restore or a dump while a run
 * migrates would be a disaster. The lock names `<purpose>-<id>` as its holder, so a run refused
 * by it says what holds it.
 */
export async function withEnvironmentLock<T>(access: EnvironmentAccess, purpose: string, work: () => Promise<T>, warn: (line: string) => void): Promise<T> {
  const { newRunId, openStore } = await import('../../engine/api.js')
  const { acquireEnvironmentLock, currentOwner } = await import('../../engine/lock.js')
  const store = openStore(access.stateDir)
  try {
    const lock = await acquireEnvironmentLock(store, access.environmentName, currentOwner(`${purpose}-${newRunId()}`), access.leaseMs)
    if (lock.takenOver) warn(`took over the lock of ${lock.takenOver.owner.runId}: ${lock.takenOver.reason}`)
    try {
      return await work()
    } finally {
      await lock.release()
    }
  } finally {
    store.close()
  }
}

/** Ctrl-C (or SIGTERM) stops the work through the signal; a second one exits at once. */
export function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write('\nStopping…\n')
    controller.abort(new Error('cancelled'))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
