import type { DatabaseProgress, ProgressListener } from '../adapters/database/progress.js'

export type { DatabaseProgress, ProgressListener }
import { RolloutError } from '../shared/errors.js'
import { backupSettings } from '../steps/backup/settings.js'
import { takeBackup, verifyAndPrune } from '../steps/backup/take-backup.js'
import { openEnvironment, type EnvironmentInput, type OpenEnvironment } from './environment.js'
import { withEnvironmentLock } from './lock.js'

/** What a long database operation reports while it works; nothing is printed by the operation itself. */
export interface DatabaseWork {
  signal?: AbortSignal
  onProgress?: ProgressListener
  /** The library's log lines, redacted. */
  onLog?: (line: string) => void
  /** A stale lock taken over, and other things worth a warning. */
  onWarning?: (line: string) => void
}

export type BackupInput = EnvironmentInput & DatabaseWork

/** What `rollout backup` reports (and prints as JSON with --json). */
export interface BackupResult {
  id: string
  database: string
  path: string
  manifestPath: string
  sizeBytes: number
  dumpBytes: number
  tables: number
  rows: number
  durationMs: number
  encrypted: boolean
  verification: { level: 'quick' | 'full'; ok: boolean; problems: string[]; durationMs: number }
  retention: { policy: string; deleted: string[] } | null
  /** Partial files of stopped backups removed before this one. */
  swept: string[]
}

/**
 * `rollout backup <env>`: a backup of the environment's database now, through the backup phase's
 * own code: taken, verified at the configured level, then retention. Holds the environment's lock
 * throughout. `verification.ok` false means the backup exists but does not count.
 */
export async function backupEnvironment(input: BackupInput): Promise<BackupResult> {
  const opened = await openEnvironment(input)
  const settings = backupSettings(settingsSource(opened))
  const io = databaseIo(opened, input)
  return withEnvironmentLock(opened, 'backup', async () => {
    const created = await takeBackup(settings, io)
    const { verification, retention } = await verifyAndPrune(settings, created.manifestPath, settings.verify, io).catch((error: Error) => {
      throw new RolloutError('RUN', `backup ${created.id} was written but could not be verified: ${error.message}`, 'it counts only once verified: fix the cause, then take another backup', { cause: error })
    })
    const m = created.manifest
    return {
      id: m.id,
      database: m.database,
      path: created.path,
      manifestPath: created.manifestPath,
      sizeBytes: m.sizeBytes,
      dumpBytes: m.dumpBytes,
      tables: m.tables.length,
      rows: m.tables.reduce((n, t) => n + t.rows, 0),
      durationMs: m.durationMs,
      encrypted: m.encryption !== null,
      verification: { level: verification.level, ok: verification.ok, problems: verification.problems, durationMs: verification.durationMs },
      retention: retention ? { policy: retention.policy, deleted: retention.deleted } : null,
      swept: created.swept,
    }
  }, input.onWarning ?? (() => undefined))
}

/** The environment as the backup settings read it: its folder for relative paths, its variables for DATABASE_URL. */
export function settingsSource(opened: OpenEnvironment) {
  return { environment: opened.environment, environmentName: opened.environmentName, cwd: opened.root, redactor: opened.redactor, env: opened.env }
}

/** The operation's IO for the database library: its signal and variables, progress, and log lines redacted. */
export function databaseIo(opened: OpenEnvironment, work: DatabaseWork) {
  const onLog = work.onLog
  return {
    signal: work.signal ?? new AbortController().signal,
    env: opened.env,
    ...(work.onProgress ? { onProgress: work.onProgress } : {}),
    ...(onLog ? { log: (line: string) => onLog(opened.redactor.redact(line)) } : {}),
  }
}
