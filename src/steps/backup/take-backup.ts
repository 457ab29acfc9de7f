import type { CreatedBackup } from '../../adapters/database/create-backup.js'
import type { ProgressListener } from '../../adapters/database/progress.js'
import type { VerifyOutcome } from '../../adapters/database/verify-backup.js'
import { applyRetention, type RetentionOutcome } from './retention.js'
import type { BackupSettings } from './settings.js'

/** How a backup reports while it works: the step's record, or the CLI's progress bar. */
export interface BackupIo {
  signal: AbortSignal
  env: NodeJS.ProcessEnv
  onProgress?: ProgressListener
  log?: (line: string) => void
}

/** One consistent dump of the environment's database with its manifest: the backup step's work and `rollout backup`'s. */
export async function takeBackup(settings: BackupSettings, io: BackupIo, suffix?: string): Promise<CreatedBackup> {
  const { createBackup } = await import('../../adapters/database/create-backup.js')
  return createBackup({
    url: settings.url,
    dir: settings.dir,
    compression: settings.compression,
    env: io.env,
    signal: io.signal,
    ...(settings.encryptionKeyEnv ? { encryptionKeyEnv: settings.encryptionKeyEnv } : {}),
    ...(suffix ? { suffix } : {}),
    ...(io.onProgress ? { onProgress: io.onProgress } : {}),
    ...(io.log ? { log: io.log } : {}),
  })
}

export interface CheckedBackup {
  verification: VerifyOutcome
  /** Retention applied once the backup passed (null when it failed, or pruning is off, or no policy is set). */
  retention: RetentionOutcome | null
}

/**
 * Verifies a backup at `level` and, once it has passed, applies retention: a backup counts only
 * once verified, and only a verified one may push an older one out.
 */
export async function verifyAndPrune(settings: BackupSettings, manifestPath: string, level: 'quick' | 'full', io: BackupIo, prune = true): Promise<CheckedBackup> {
  const { verifyBackup } = await import('../../adapters/database/verify-backup.js')
  const verification = await verifyBackup({
    backup: manifestPath,
    level,
    url: settings.url,
    env: io.env,
    signal: io.signal,
    ...(io.onProgress ? { onProgress: io.onProgress } : {}),
    ...(io.log ? { log: io.log } : {}),
  })
  const retention = verification.ok && prune ? await applyRetention(settings, io.env) : null
  return { verification, retention }
}
