import { backupEnvironment } from '../../app/backup.js'
import { EXIT } from '../exit-codes.js'
import { interruptible } from '../interrupts.js'
import { progressFor } from '../render/progress.js'
import { renderBackupResult } from '../render/backups.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { sourceOf, verboseLog, warnLine, type VerbOptions } from './verb.js'

/**
 * `rollout backup <env>`: exit 0 when the backup was taken and verified, 1 when it or its
 * verification failed (the database itself is never changed by a backup).
 */
export async function backupCommand(o: VerbOptions): Promise<number> {
  const progress = progressFor(process.stderr, o.json)
  const log = verboseLog(o)
  const stop = interruptible()
  try {
    const result = await backupEnvironment({
      ...sourceOf(o), environment: o.environment, signal: stop.signal, onWarning: warnLine,
      ...(progress ? { onProgress: progress.listener } : {}), ...(log ? { onLog: log } : {}),
    })
    progress?.done()
    if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else process.stdout.write(`${renderBackupResult(result, process.cwd(), makeStyle(colorsEnabled(process.stdout)))}\n`)
    return result.verification.ok ? EXIT.ok : EXIT.failedClean
  } finally {
    progress?.done()
    stop.dispose()
  }
}
