import { isObjectLocation, parentLocation } from '../storage/location.js'
import { DatabaseError } from './errors.js'
import type { ProgressListener } from './progress.js'
import { restoreBackup, type RestoreReport } from './restore-backup.js'

/** What a run's `backup` step recorded (its `data`), as the migrate step's undo passes it on. */
export interface RecordedBackup {
  id?: unknown
  manifestPath?: unknown
  path?: unknown
  dir?: unknown
}

export interface RecordedRestoreRequest {
  url: string
  /** The backup step's data, or a backup id / path. */
  backup: RecordedBackup | string
  mode?: 'differential' | 'full'
  signal?: AbortSignal
  log?: (line: string) => void
  onProgress?: ProgressListener
  env?: NodeJS.ProcessEnv
}

/**
 * The restore a rollback runs: finds the backup the run's own backup step made, restores it
 * (differential by default), and returns the report with a one-line summary.
 */
export async function restoreRecordedBackup(req: RecordedRestoreRequest): Promise<RestoreReport & { summary: string }> {
  const ref = backupRef(req.backup)
  const report = await restoreBackup({
    url: req.url,
    backup: ref.backup,
    ...(ref.dir ? { dir: ref.dir } : {}),
    mode: req.mode ?? 'differential',
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.log ? { log: req.log } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    ...(req.env ? { env: req.env } : {}),
  }).catch((error: unknown) => {
    // A backup in a local folder exists only on the machine that took it.
    if (error instanceof DatabaseError && error.reason === 'NOT_FOUND' && !isObjectLocation(ref.backup)) {
      throw new DatabaseError('NOT_FOUND', error.message, 'a backup in a local folder is only on the machine that took it: run this there, or keep backups in object storage (backups.dir: s3://bucket/prefix) so that every machine reaches them', { cause: error })
    }
    throw error
  })
  return { ...report, summary: summarizeRestore(report) }
}

function backupRef(recorded: RecordedBackup | string): { backup: string; dir?: string } {
  if (typeof recorded === 'string') return { backup: recorded }
  if (typeof recorded.manifestPath === 'string') return { backup: recorded.manifestPath }
  if (typeof recorded.id === 'string' && typeof recorded.dir === 'string') return { backup: recorded.id, dir: recorded.dir }
  if (typeof recorded.path === 'string') return { backup: recorded.path, dir: parentLocation(recorded.path) }
  throw new DatabaseError('NOT_FOUND', 'the backup step recorded no backup (no manifestPath, id or path in its data)')
}

/** One line: what was done and that it was proven. */
export function summarizeRestore(r: RestoreReport): string {
  const how = r.performed === r.requested ? r.performed : `${r.performed} (fell back: ${r.fallback})`
  const reverted = r.tables.reverted.length ? `${r.tables.reverted.length} reverted by ALTER TABLE, ` : ''
  const later = r.indexesAfterRows?.length ?? 0
  const indexes = later ? `, the indexes of ${later === 1 ? r.indexesAfterRows[0] : `${later} tables`} built after the rows` : ''
  const sessions = r.sessions > 1 ? ` (rows loaded on ${r.sessions} sessions at once${indexes})` : ''
  const counts = `${r.tables.replayed.length} table${r.tables.replayed.length === 1 ? '' : 's'} replayed${sessions}, ${reverted}${r.tables.dropped.length} dropped, ${r.tables.unchanged.length} unchanged`
  const warned = r.warnings.length ? `; warning: ${r.warnings.join('; ')}` : ''
  const unwritten = r.proof.tables.filter((t) => t.checked === 'unwritten').length
  // Says what was checked: a table the binary log shows unwritten was not checksummed.
  const proven = unwritten
    ? `the binary log shows no write since the backup to ${unwritten} table${unwritten === 1 ? '' : 's'}, and every other table's checksum equals the backup's`
    : 'every table\'s checksum equals the backup\'s'
  const compared = r.changes?.source === 'checksum' && r.performed === 'differential' ? ` (changes found by checksum: ${r.changes.reason})` : ''
  return `restored ${r.backupId} ${how}: ${counts}; ${proven}${compared}; ${(r.timings.totalMs / 1000).toFixed(1)} s${warned}`
}
