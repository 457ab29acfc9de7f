import type { BackupEntry } from '../adapters/database/catalog.js'
import { backupFolderSettings } from '../steps/backup/settings.js'
import { settingsSource } from './backup.js'
import { openEnvironment, type EnvironmentInput } from './environment.js'

export type { BackupEntry }

/**
 * `rollout backups <env>`: the environment's backup folder, newest first. Reads files only: no
 * database connection and no lock, so it works while a run is under way.
 */
export async function listBackups(input: EnvironmentInput): Promise<{ dir: string; backups: BackupEntry[] }> {
  const opened = await openEnvironment(input)
  const { dir } = backupFolderSettings(settingsSource(opened))
  const catalog = await import('../adapters/database/catalog.js')
  return { dir, backups: await catalog.listBackups(dir, Date.now(), opened.env) }
}
