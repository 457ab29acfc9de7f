import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { findConfigFile, resolveGlobals } from '../config/load.js'
import { SqliteStore } from '../adapters/store/sqlite.js'
import type { Store } from '../engine/store.js'
import { RolloutError } from '../shared/errors.js'
import { loadSource, type ConfigSource } from './config-source.js'

/** The record in a state folder, created owner-only. The caller closes it. */
export function openStore(stateDir: string): Store {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 })
    // An existing folder keeps its mode through mkdir: tightened here, whatever the umask made it.
    if ((statSync(stateDir).mode & 0o077) !== 0) chmodSync(stateDir, 0o700)
  } catch (error) {
    throw new RolloutError('STATE', `cannot create the state folder ${stateDir}: ${(error as Error).message}`, 'check its permissions', { cause: error })
  }
  return new SqliteStore(path.join(stateDir, 'rollout.db'))
}

/** Runs `work` with the store open, and closes it whatever happens. */
export async function withStore<T>(stateDir: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(stateDir)
  try {
    return await work(store)
  } finally {
    store.close()
  }
}

/** The config's state folder (its top-level settings only: no environment needs to resolve). */
export async function stateDirOf(source: ConfigSource): Promise<string> {
  return resolveGlobals(await loadSource(source)).stateDir
}

/**
 * The state folder of the record for commands that read it (status, history, unlock, monitor):
 * the config's, or `.rollout/` in the current folder when there is no config file. Refuses when
 * no record exists there yet, rather than creating an empty one.
 */
export async function recordDir(source: ConfigSource): Promise<string> {
  const cwd = source.cwd ?? process.cwd()
  let stateDir = path.join(cwd, '.rollout')
  let hasConfig = source.config !== undefined
  if (!hasConfig) {
    try {
      findConfigFile(cwd, source.configPath)
      hasConfig = true
    } catch (error) {
      if (source.configPath) throw error
    }
  }
  if (hasConfig) stateDir = await stateDirOf(source)
  if (!existsSync(path.join(stateDir, 'rollout.db'))) {
    throw new RolloutError('USAGE', `no run record in ${stateDir} yet`, 'start one with `rollout run <env>`')
  }
  return stateDir
}
