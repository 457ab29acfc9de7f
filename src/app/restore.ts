import type { BackupManifest } from '../adapters/database/manifest.js'
import type { ReplayReason, RestoreReport } from '../adapters/database/restore-backup.js'
import { DatabaseError, UntouchedError, type DatabaseFailure } from '../adapters/database/errors.js'
import { RolloutError } from '../shared/errors.js'
import { backupSettings } from '../steps/backup/settings.js'
import { databaseIo, settingsSource, type DatabaseWork } from './backup.js'
import { openEnvironment, type EnvironmentInput } from './environment.js'
import { withEnvironmentLock } from './lock.js'

export type { RestoreReport, ReplayReason }

/** What a restore is about to do, for the caller to confirm. */
export interface RestoreIntent {
  backup: BackupManifest
  database: string
  server: string
  mode: 'full' | 'differential'
  /** One sentence: which backup replaces what, where. */
  description: string
}

export interface RestoreInput extends EnvironmentInput, DatabaseWork {
  /** Backup id, path of its file or manifest, or "latest". */
  backup: string
  /** Replay every table, not only those that differ. */
  full?: boolean
  /** Checksum every table after the replay, not only the replayed ones. */
  proveAll?: boolean
  /** Client sessions loading rows at once (default: one per core, two to four, for large rows). */
  sessions?: number
  /** Restore a backup of another database, or one whose manifest has no seal. */
  force?: boolean
  /** Asked before anything changes; false cancels and nothing is changed. Without it the restore goes ahead. */
  confirm?: (intent: RestoreIntent) => Promise<boolean>
}

export type RestoreResult = { status: 'restored'; intent: RestoreIntent; report: RestoreReport } | { status: 'cancelled'; intent: RestoreIntent }

/** A restore that stopped part-way: the database may be partly restored; a full restore of the same backup finishes it. */
export class RestoreIncompleteError extends RolloutError {
  constructor(readonly intent: RestoreIntent, cause: unknown, redact: (text: string) => string) {
    super('RUN', `the restore of ${intent.backup.id} into ${intent.database} did not complete: ${redact((cause as Error)?.message ?? String(cause))}`, 'the database may be partly restored: finish with a full restore of the same backup', { cause })
    this.name = 'RestoreIncompleteError'
  }
}

/** Failures the restore meets before it changes anything: the database is as it was. */
const BEFORE_ANY_CHANGE: ReadonlySet<DatabaseFailure> = new Set(['URL', 'NOT_FOUND', 'INVALID_BACKUP', 'WRONG_DATABASE', 'KEY', 'CONNECT', 'AUTH', 'NO_DATABASE', 'PRIVILEGE'])

/**
 * true when a failed restore may have left the database partly restored: anything but a failure
 * known to come before the first change (the restore says so: UntouchedError; or its kind does, and
 * a lock or config error, which come before it too).
 */
export function leftDatabaseUncertain(error: unknown): boolean {
  if (error instanceof UntouchedError) return false
  if (error instanceof DatabaseError) return !BEFORE_ANY_CHANGE.has(error.reason)
  return !(error instanceof RolloutError)
}

/**
 * `rollout restore <env> <backup>`: puts the environment's database back to a backup, under the
 * environment's lock; differential unless `full`. Throws RestoreIncompleteError when it stopped
 * part-way; any other error means the database was not changed.
 */
export async function restoreEnvironment(input: RestoreInput): Promise<RestoreResult> {
  const opened = await openEnvironment(input)
  const settings = backupSettings(settingsSource(opened))
  const { parseMysqlUrl, requireDatabase } = await import('../adapters/database/url.js')
  const target = parseMysqlUrl(settings.url)
  const database = requireDatabase(target)
  const { findBackup } = await import('../adapters/database/catalog.js')
  const { manifest, manifestPath } = await findBackup(input.backup, settings.dir, opened.env)
  if (manifest.database !== database && !input.force) {
    throw new RolloutError('USAGE', `backup ${manifest.id} is of database "${manifest.database}", not "${database}"`, 'pass --force to restore it into this database anyway')
  }
  const mode = input.full ? 'full' : 'differential'
  const server = `${target.host}:${target.port}`
  const intent: RestoreIntent = {
    backup: manifest, database, server, mode,
    description: `restoring ${describeBackup(manifest)} into ${database} on ${server} replaces ${mode === 'full' ? 'every table' : 'the tables that differ from it'}`,
  }
  if (input.confirm && !(await input.confirm(intent))) return { status: 'cancelled', intent }
  const { restoreBackup } = await import('../adapters/database/restore-backup.js')
  const io = databaseIo(opened, input)
  try {
    const report = await withEnvironmentLock(opened, 'restore', () =>
      // The manifest confirmed above, not the id again: "latest" may have moved meanwhile.
      restoreBackup({ url: settings.url, backup: manifestPath, mode, force: Boolean(input.force), ...(input.proveAll ? { proveAll: true } : {}), ...(input.sessions ? { sessions: input.sessions } : {}), ...io }),
      input.onWarning ?? (() => undefined),
    )
    return { status: 'restored', intent, report }
  } catch (error) {
    if (leftDatabaseUncertain(error)) throw new RestoreIncompleteError(intent, error, (text) => opened.redactor.redact(text))
    throw error
  }
}

function describeBackup(m: BackupManifest): string {
  const verified = m.verifications.filter((v) => v.ok).map((v) => v.level)
  return `${m.id} (database ${m.database}, taken ${m.createdAt.slice(0, 19).replace('T', ' ')} UTC, ${m.tables.length} tables, ${verified.includes('full') ? 'verified full' : verified.length ? 'verified quick' : 'not verified yet'})`
}
