import type { BackupFolderSettings } from './settings.js'

export interface RetentionOutcome {
  /** Which policy applied, as a user would write it: "keep 14", "keepDays 30". */
  policy: string
  deleted: string[]
  kept: string[]
}

/**
 * Applies `backups.keep` and `backups.keepDays` once a backup has passed its verification: run
 * before, it could leave only an unverified backup behind. The catalog never deletes the newest
 * verified backup, whatever the policy says. Null when no policy is set.
 */
export async function applyRetention(settings: Pick<BackupFolderSettings, 'dir' | 'keep' | 'keepDays'>, env: NodeJS.ProcessEnv): Promise<RetentionOutcome | null> {
  if (settings.keep === undefined && settings.keepDays === undefined) return null
  const { pruneBackups } = await import('../../adapters/database/catalog.js')
  const pruned = await pruneBackups(settings.dir, {
    env,
    ...(settings.keep !== undefined ? { keep: settings.keep } : {}),
    ...(settings.keepDays !== undefined ? { maxAgeDays: settings.keepDays } : {}),
  })
  const policy = [settings.keep !== undefined ? `keep ${settings.keep}` : '', settings.keepDays !== undefined ? `keepDays ${settings.keepDays}` : ''].filter(Boolean).join(', ')
  return { policy, ...pruned }
}
