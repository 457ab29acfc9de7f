import { environmentNames } from '../config/load.js'
import type { LockRecord, RunRecord } from '../engine/store.js'
import { isInterrupted } from '../engine/lock.js'
import { backupFolderSettings } from '../steps/backup/settings.js'
import { settingsSource } from './backup.js'
import type { BackupEntry } from './backups.js'
import { loadSource, type ConfigSource } from './config-source.js'
import { openEnvironment } from './environment.js'
import { recordPlace, withStore } from './store.js'
import { RolloutError } from '../shared/errors.js'

/** One environment as the dashboard's first page shows it. */
export interface EnvironmentOverview {
  name: string
  url: string | null
  /** The release of the newest run that passed and changed the environment: what the record says is live. */
  liveRelease: string | null
  lastRun: Pick<RunRecord, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'release' | 'summary' | 'user'> | null
  /** The run holding the environment's lock, and whether its holder is gone. */
  lock: (LockRecord & { stale: boolean }) | null
  newestVerifiedBackup: Pick<BackupEntry, 'id' | 'createdAt' | 'ageMs' | 'sizeBytes' | 'verified'> | null
  /** The newest verified backup is older than backups.maxAge (or there is none). */
  backupTooOld: boolean
  maxBackupAgeMs: number | null
  /** Why the environment could not be read (a variable it needs is not set here). */
  problem: string | null
}

/**
 * Every environment of the config with what the record and the backup folder say of it. An
 * environment whose config cannot be resolved on this machine is listed with the reason, never
 * left out.
 */
export async function environmentsOverview(source: ConfigSource): Promise<EnvironmentOverview[]> {
  const names = environmentNames(await loadSource(source))
  // No local record yet is an empty history; a shared store that cannot be reached is an error.
  const place = await recordPlace(source).catch((error: unknown) => {
    if (error instanceof RolloutError && error.code === 'USAGE') return null
    throw error
  })
  const recorded = place
    ? await withStore(place.store, async (store) => Promise.all(names.map(async (name) => ({ runs: await store.listRuns({ environment: name, limit: 50 }), lock: await store.getLock(name) }))))
    : names.map(() => ({ runs: [] as RunRecord[], lock: null }))
  return Promise.all(names.map(async (name, i) => {
    const { runs, lock } = recorded[i]!
    const last = runs[0]
    const live = runs.find((r) => r.status === 'passed' && r.crossedAt !== null)
    const base: EnvironmentOverview = {
      name, url: null, liveRelease: live?.release ?? null, problem: null, newestVerifiedBackup: null, backupTooOld: true, maxBackupAgeMs: null,
      lastRun: last ? { id: last.id, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt, release: last.release, summary: last.summary, user: last.user } : null,
      lock: lock ? { ...lock, stale: isInterrupted({ id: lock.owner.runId, status: 'running' }, lock) } : null,
    }
    try {
      const opened = await openEnvironment({ ...source, environment: name })
      const folder = backupFolderSettings(settingsSource(opened))
      const catalog = await import('../adapters/database/catalog.js')
      const newest = (await catalog.listBackups(folder.dir, Date.now(), opened.env)).find((b) => b.status === 'verified')
      return {
        ...base, url: opened.environment.url, maxBackupAgeMs: folder.maxAgeMs,
        newestVerifiedBackup: newest ? { id: newest.id, createdAt: newest.createdAt, ageMs: newest.ageMs, sizeBytes: newest.sizeBytes, verified: newest.verified } : null,
        backupTooOld: !newest || newest.ageMs > folder.maxAgeMs,
      }
    } catch (error) {
      return { ...base, problem: (error as Error).message }
    }
  }))
}
