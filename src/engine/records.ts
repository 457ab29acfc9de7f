import { existsSync } from 'node:fs'
import path from 'node:path'
import { findConfigFile, loadConfig, resolveGlobals } from '../config/load.js'
import { openStore } from './api.js'
import { LockedError, RolloutError } from '../shared/errors.js'
import type { Store } from './store.js'
import { currentOwner } from './lock.js'
import { processAlive } from '../shared/process/alive.js'
import os from 'node:os'

/**
 * Opens the run record for read-only commands (status, history, unlock): from the config's state
 * folder, or `.rollout/` beside the current folder when there is no config.
 */
export async function openRecord(opts: { cwd?: string; configPath?: string }): Promise<{ store: Store; stateDir: string }> {
  const cwd = opts.cwd ?? process.cwd()
  let stateDir = path.join(cwd, '.rollout')
  let hasConfig = true
  try {
    findConfigFile(cwd, opts.configPath)
  } catch (error) {
    if (opts.configPath) throw error
    hasConfig = false
  }
  if (hasConfig) stateDir = resolveGlobals(await loadConfig({ cwd, configPath: opts.configPath })).stateDir
  if (!existsSync(path.join(stateDir, 'rollout.db'))) {
    throw new RolloutError('USAGE', `no run record in ${stateDir} yet`, 'start one with `rollout run <env>`')
  }
  return { store: openStore(stateDir), stateDir }
}

/** `rollout unlock <env> --force`: removes the lock and notes who forced it in the holder's record. */
export async function forceUnlock(store: Store, environment: string): Promise<string> {
  const held = await store.getLock(environment)
  // --force is for a holder that is gone; one alive on this host is still running: two runs would overlap.
  if (held && held.owner.host === os.hostname() && processAlive(held.owner.pid)) {
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
