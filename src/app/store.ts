import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { findConfigFile, resolveGlobals, resolveStore } from '../config/load.js'
import { openStoreAt } from '../adapters/store/open.js'
import { describeStore, type StoreLocation } from '../adapters/store/location.js'
import type { Store } from '../engine/store.js'
import { RolloutError } from '../shared/errors.js'
import { loadSource, type ConfigSource } from './config-source.js'
import type { ObjectStorageSettings } from '../adapters/storage/settings.js'

export type { StoreLocation }
export { describeStore }

/** Where a config keeps its files (evidence, reports) and its record (the store). */
export interface RecordPlace {
  stateDir: string
  store: StoreLocation
  /** s3://… where runs' evidence is copied for other machines; null when it stays in stateDir. */
  evidence: string | null
  storage?: ObjectStorageSettings | undefined
}

/** The record, its folder created owner-only when it is the local file. The caller closes it. */
export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.kind === 'sqlite') {
    const folder = path.dirname(location.file)
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 })
      // An existing folder keeps its mode through mkdir: tightened here, whatever the umask made it.
      if ((statSync(folder).mode & 0o077) !== 0) chmodSync(folder, 0o700)
    } catch (error) {
      throw new RolloutError('STATE', `cannot create the state folder ${folder}: ${(error as Error).message}`, 'check its permissions', { cause: error })
    }
  }
  return openStoreAt(location)
}

/** Runs `work` with the store open, and closes it whatever happens. */
export async function withStore<T>(location: StoreLocation, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

/** The config's state folder and store (its top-level settings only: no environment needs to resolve). */
export async function placeOf(source: ConfigSource): Promise<RecordPlace> {
  const { stateDir, store, evidence, storage } = resolveGlobals(await loadSource(source))
  return { stateDir, store, evidence, storage }
}

/**
 * The record for commands that read it (status, history, unlock, monitor): the config's, or
 * ROLLOUT_STORE_URL's, or `.rollout/` in the current folder when there is no config file. Refuses
 * when no local record exists there yet, rather than creating an empty one.
 */
export async function recordPlace(source: ConfigSource): Promise<RecordPlace> {
  const cwd = source.cwd ?? process.cwd()
  let hasConfig = source.config !== undefined
  if (!hasConfig) {
    try {
      findConfigFile(cwd, source.configPath)
      hasConfig = true
    } catch (error) {
      if (source.configPath) throw error
    }
  }
  let place: RecordPlace
  if (hasConfig) place = await placeOf(source)
  else {
    const stateDir = path.join(cwd, '.rollout')
    place = { stateDir, store: resolveStore(undefined, (source.env ?? process.env).ROLLOUT_STORE_URL, stateDir, cwd), evidence: null }
  }
  if (place.store.kind === 'sqlite' && !existsSync(place.store.file)) {
    throw new RolloutError('USAGE', `no run record in ${path.dirname(place.store.file)} yet`, 'start one with `rollout run <env>`')
  }
  return place
}
