import { createInterface } from 'node:readline/promises'
import type { BackupManifest } from '../../adapters/database/manifest.js'
import { DatabaseError, UntouchedError, type DatabaseFailure } from '../../adapters/database/errors.js'
import { RolloutError } from '../../shared/errors.js'
import { backupSettings } from '../../steps/backup/settings.js'
import { EXIT } from '../exit-codes.js'
import { progressFor } from '../render/progress.js'
import { renderRestoreReport } from '../render/restore.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { verboseLog, type VerbOptions } from './backup.js'
import { interruptible, openEnvironment, withEnvironmentLock } from './environment-access.js'

export interface RestoreVerbOptions extends VerbOptions {
  /** Backup id, path of its file or manifest, or "latest". */
  backup: string
  full?: boolean
  yes?: boolean
  force?: boolean
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

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}

function describeBackup(m: BackupManifest): string {
  const verified = m.verifications.filter((v) => v.ok).map((v) => v.level)
  return `${m.id} (database ${m.database}, taken ${m.createdAt.slice(0, 19).replace('T', ' ')} UTC, ${m.tables.length} tables, ${verified.includes('full') ? 'verified full' : verified.length ? 'verified quick' : 'not verified yet'})`
}

/**
 * `rollout restore <env> <backup>`: puts the environment's database back to a backup, under the
 * environment's lock. Differential unless --full. Exit 0 restored and proven; 1 refused or failed
 * before anything changed; 2 usage (no --yes without a terminal, another database without
 * --force); 3 stopped part-way: the database may be partly restored; 4 locked.
 */
export async function restoreCommand(o: RestoreVerbOptions): Promise<number> {
  const access = await openEnvironment(o.environment, o.configPath)
  const settings = backupSettings(access)
  const { parseMysqlUrl, requireDatabase } = await import('../../adapters/database/url.js')
  const target = parseMysqlUrl(settings.url)
  const database = requireDatabase(target)
  const { findBackup } = await import('../../adapters/database/catalog.js')
  const { manifest, manifestPath } = await findBackup(o.backup, settings.dir)
  if (manifest.database !== database && !o.force) {
    throw new RolloutError('USAGE', `backup ${manifest.id} is of database "${manifest.database}", not "${database}"`, 'pass --force to restore it into this database anyway')
  }
  const mode = o.full ? 'full' : 'differential'
  if (!o.yes) {
    const what = `restoring ${describeBackup(manifest)} into ${database} on ${target.host}:${target.port} replaces ${mode === 'full' ? 'every table' : 'the tables that differ from it'}`
    if (!process.stdin.isTTY) throw new RolloutError('USAGE', `not confirmed: ${what}`, 'pass --yes to confirm when not at a terminal')
    if (!(await confirm(`${what[0]!.toUpperCase()}${what.slice(1)}. Continue? [y/N] `))) {
      process.stderr.write('Restore cancelled: nothing was changed.\n')
      return EXIT.failedClean
    }
  }

  const progress = progressFor(process.stderr, o.json)
  const log = verboseLog(o, (s) => access.redactor.redact(s))
  const stop = interruptible()
  try {
    const { restoreBackup } = await import('../../adapters/database/restore-backup.js')
    const report = await withEnvironmentLock(access, 'restore', () =>
      restoreBackup({
        url: settings.url,
        // The manifest confirmed above, not the id again: "latest" may have moved meanwhile.
        backup: manifestPath,
        mode,
        force: Boolean(o.force),
        signal: stop.signal,
        ...(progress ? { onProgress: progress.listener } : {}),
        ...(log ? { log } : {}),
      }),
      (line) => process.stderr.write(`warning: ${line}\n`),
    )
    progress?.done()
    if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else process.stdout.write(`${renderRestoreReport(report, makeStyle(colorsEnabled(process.stdout)))}\n`)
    return EXIT.ok
  } catch (error) {
    progress?.done()
    if (!leftDatabaseUncertain(error)) throw error
    const style = makeStyle(colorsEnabled(process.stderr))
    const again = ['rollout', ...(o.configPath ? ['--config', o.configPath] : []), 'restore', o.environment, manifest.id, '--full', '--yes', ...(o.force ? ['--force'] : [])].join(' ')
    const message = access.redactor.redact((error as Error)?.message ?? String(error))
    process.stderr.write(`${style.red('error:')} the restore of ${manifest.id} into ${database} did not complete: ${message}\nThe database may be partly restored. Finish the restore with:\n  ${again}\n`)
    return EXIT.needsHands
  } finally {
    stop.dispose()
  }
}
