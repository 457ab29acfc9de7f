import { RolloutError } from '../../shared/errors.js'
import { EXIT } from '../exit-codes.js'
import { backupSettings } from '../../steps/backup/settings.js'
import { applyRetention } from '../../steps/backup/retention.js'
import { progressFor } from '../render/progress.js'
import { renderBackupResult, type BackupResult } from '../render/backups.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { interruptible, openEnvironment, withEnvironmentLock } from './environment-access.js'

export interface VerbOptions {
  environment: string
  configPath?: string
  json?: boolean
  verbose?: boolean
}

/** A writer for the library's log lines: shown with --verbose, always redacted. */
export function verboseLog(o: VerbOptions, redact: (s: string) => string): ((line: string) => void) | undefined {
  return o.verbose && !o.json ? (line) => void process.stderr.write(`  ${redact(line)}\n`) : undefined
}

/**
 * `rollout backup <env>`: a backup of the environment's database now, verified at the configured
 * level, then retention. Holds the environment's lock throughout. Exit 0 when verified, 1 when the
 * backup or its verification failed (the database itself is never changed by a backup).
 */
export async function backupCommand(o: VerbOptions): Promise<number> {
  const access = await openEnvironment(o.environment, o.configPath)
  const settings = backupSettings(access)
  const progress = progressFor(process.stderr, o.json)
  const log = verboseLog(o, (s) => access.redactor.redact(s))
  const stop = interruptible()
  let result: BackupResult
  try {
    result = await withEnvironmentLock(access, 'backup', async () => {
      const { createBackup } = await import('../../adapters/database/create-backup.js')
      const { verifyBackup } = await import('../../adapters/database/verify-backup.js')
      const common = { signal: stop.signal, ...(progress ? { onProgress: progress.listener } : {}), ...(log ? { log } : {}) }
      const created = await createBackup({
        url: settings.url,
        dir: settings.dir,
        compression: settings.compression,
        ...(settings.encryptionKeyEnv ? { encryptionKeyEnv: settings.encryptionKeyEnv } : {}),
        ...common,
      })
      const verification = await verifyBackup({ backup: created.manifestPath, level: settings.verify, url: settings.url, ...common }).catch((error: Error) => {
        throw new RolloutError('RUN', `backup ${created.id} was written but could not be verified: ${error.message}`, 'it counts only once verified: fix the cause, then take another backup', { cause: error })
      })
      const retention = verification.ok ? await applyRetention(settings) : null
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
    }, (line) => process.stderr.write(`warning: ${line}\n`))
  } finally {
    progress?.done()
    stop.dispose()
  }
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else process.stdout.write(`${renderBackupResult(result, process.cwd(), makeStyle(colorsEnabled(process.stdout)))}\n`)
  return result.verification.ok ? EXIT.ok : EXIT.failedClean
}
