import type { UndoContext } from '../../engine/step-kind.js'

export interface RestoreRequest {
  /** The environment's database URL (never logged). */
  url: string
  /** `data` of the run's backup step: which backup to restore (its manifest). */
  backup: Record<string, unknown> | undefined
  /** The schema hash the database must have once restored. */
  expectHash: string | undefined
}

/**
 * The one place the migrate step's undo calls the database restore (differential: only the tables
 * that differ from the backup are replayed, then every table's checksum is proven). Loaded only
 * when a rollback needs it.
 */
export async function restoreRunBackup(ctx: UndoContext<unknown>, req: RestoreRequest): Promise<{ summary: string; data: Record<string, unknown> }> {
  if (!req.backup) throw new Error('no backup was taken in this run (step "backup"): nothing to restore the database from')
  const { restoreRecordedBackup } = await import('../../adapters/database/restore.js')
  const report = await restoreRecordedBackup({
    url: req.url,
    backup: req.backup,
    signal: ctx.signal,
    env: ctx.env,
    log: (line) => ctx.log(ctx.redactor.redact(line)),
  })
  if (!report.proof.ok) throw new Error(`the restore could not prove the database equals the backup: ${report.proof.problems.slice(0, 3).join('; ')}`)
  return {
    summary: report.summary,
    data: {
      backupId: report.backupId,
      mode: report.performed,
      replayed: report.tables.replayed,
      dropped: report.tables.dropped,
      unchanged: report.tables.unchanged.length,
      totalMs: Math.round(report.timings.totalMs),
    },
  }
}
