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
 * The one place the migrate step's undo calls the database restore. The restore itself belongs to
 * the backup adapters (src/adapters/database/restore.ts); it is loaded only when a rollback needs it.
 */
export async function restoreDatabase(ctx: UndoContext<unknown>, req: RestoreRequest): Promise<{ summary: string; data: Record<string, unknown> }> {
  if (!req.backup) throw new Error('no backup was taken in this run (step "backup"): nothing to restore the database from')
  // Loaded by a computed name: the restore module ships separately from this step.
  const modulePath = '../../adapters/database/restore.js'
  let mod: Record<string, unknown>
  try {
    mod = (await import(modulePath)) as Record<string, unknown>
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /database[\\/]restore\.[jt]s/.test((error as Error).message)
    if (missing) throw new Error('the database restore is not available in this build (src/adapters/database/restore.ts is missing)')
    throw error
  }
  const restore = mod.restoreDatabase
  if (typeof restore !== 'function') throw new Error('src/adapters/database/restore.ts exports no restoreDatabase function')
  // restoreDatabase({ url, backup: the backup step's data, signal, log }): a report with a one-line summary.
  const result = (await restore({ url: req.url, backup: req.backup, signal: ctx.signal, log: (line: string) => ctx.log(ctx.redactor.redact(line)) })) as Record<string, unknown> | undefined
  return { summary: typeof result?.summary === 'string' ? result.summary : 'database restored from the backup', data: result ?? {} }
}
