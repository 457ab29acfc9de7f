import { existsSync } from 'node:fs'
import path from 'node:path'
import { inspectStore, type StoreReport } from '../adapters/store/open.js'

export type { StoreReport }
import { describeStore } from '../adapters/store/location.js'
import { RolloutError } from '../shared/errors.js'
import type { ConfigSource } from './config-source.js'
import { openStore, placeOf, withStore } from './store.js'
import { evidenceKeeper } from './evidence.js'
import { runDir } from '../engine/evidence.js'
import { withStorageSettings } from '../adapters/storage/settings.js'

/** `rollout store status`: which shared store the config names and the version of its tables; changes nothing. */
export async function storeStatus(source: ConfigSource): Promise<StoreReport> {
  return inspectStore((await placeOf(source)).store)
}

/** `rollout store migrate`: creates the shared store's tables or brings them to this version. */
export async function migrateStore(source: ConfigSource): Promise<StoreReport> {
  return inspectStore((await placeOf(source)).store, true)
}

export interface ImportResult {
  from: string
  to: string
  /** Runs copied, and runs the shared store already held (left as they are). */
  imported: string[]
  present: string[]
  /** Where the runs' folders were copied (the config's `evidence`), and how many; null without it. */
  evidence: { to: string; runs: number } | null
}

/**
 * `rollout store import`: copies a local record's runs, with their steps and events, into the
 * shared store. A run already there is left alone, so importing again copies only what is new.
 * The local record is only read. Locks are not copied: a local lock guards nothing elsewhere.
 * With `evidence` set, each run's folder goes there too (files already there are written again,
 * unchanged).
 */
export async function importRecord(source: ConfigSource & { from?: string; onRun?: (id: string, copied: boolean) => void }): Promise<ImportResult> {
  const place = await placeOf(source)
  if (place.store.kind === 'sqlite') {
    throw new RolloutError('USAGE', 'the config names no shared store to import into', 'set the config\'s `store` (or ROLLOUT_STORE_URL) to a postgres:// or mysql:// URL')
  }
  const file = source.from ? path.resolve(source.cwd ?? process.cwd(), source.from) : path.join(place.stateDir, 'rollout.db')
  const localFile = file.endsWith('.db') ? file : path.join(file, 'rollout.db')
  if (!existsSync(localFile)) throw new RolloutError('USAGE', `no local record at ${localFile}`, 'name the state folder that holds rollout.db with --from')
  const local = await openStore({ kind: 'sqlite', file: localFile })
  try {
    return await withStore(place.store, async (shared) => {
      const result: ImportResult = { from: localFile, to: describeStore(place.store), imported: [], present: [], evidence: place.evidence ? { to: place.evidence, runs: 0 } : null }
      const keep = place.evidence ? evidenceKeeper(place.evidence, withStorageSettings(source.env ?? process.env, place.storage)) : null
      // Oldest first, so the shared history reads in the order the runs happened.
      const runs = (await local.listRuns({ limit: Number.MAX_SAFE_INTEGER })).reverse()
      for (const run of runs) {
        const folder = runDir(path.dirname(localFile), run.id)
        if (keep && result.evidence && existsSync(folder)) {
          await keep(run.id, folder)
          result.evidence.runs++
        }
        if (await shared.getRun(run.id)) {
          result.present.push(run.id)
          source.onRun?.(run.id, false)
          continue
        }
        // Steps and events first, the run last: an import stopped halfway leaves no run whose
        // record looks whole, and the next import finishes it (events are kept in order, so
        // those already copied are the first ones).
        for (const step of await local.getSteps(run.id)) await shared.upsertStep(step)
        const copied = (await shared.getEvents(run.id)).length
        for (const event of (await local.getEvents(run.id)).slice(copied)) await shared.appendEvent(event)
        await shared.createRun(run)
        result.imported.push(run.id)
        source.onRun?.(run.id, true)
      }
      return result
    })
  } finally {
    await local.close()
  }
}
