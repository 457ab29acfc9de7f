import { backupFolderSettings } from '../../steps/backup/settings.js'
import { renderCatalog } from '../render/backups.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import type { VerbOptions } from './backup.js'
import { openEnvironment } from './environment-access.js'

/**
 * `rollout backups <env>`: the environment's backup folder, newest first. Reads files only: no
 * database connection and no lock, so it works while a run is under way.
 */
export async function backupsCommand(o: VerbOptions): Promise<void> {
  const access = await openEnvironment(o.environment, o.configPath)
  const { dir } = backupFolderSettings(access)
  const { listBackups } = await import('../../adapters/database/catalog.js')
  const entries = await listBackups(dir)
  if (o.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
  else process.stdout.write(`${renderCatalog(entries, dir, process.cwd(), makeStyle(colorsEnabled(process.stdout)))}\n`)
}
