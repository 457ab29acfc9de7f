/** When a rollback restores the database the migration touched. */
export type RestoreMode = 'auto' | 'always' | 'never'

export interface RestoreDecision {
  restore: boolean
  reason: string
}

export interface RestoreInputs {
  /** What the migrate step recorded: its final data, or its checkpoint when it never finished. */
  recorded: Record<string, unknown>
  endedAs: 'passed' | 'failed' | 'warning' | 'interrupted'
  mode: RestoreMode
  /** The schema's hash now, or null when it could not be read. */
  currentHash: string | null
}

/**
 * Whether the undo of a migration restores the database. Conservative: anything short of "the
 * migration finished, changed no schema, and the schema is still as it was" restores, since a
 * needless restore costs minutes and a missed one leaves a broken database behind.
 * Data-only migrations change no schema: give them mode `always`.
 */
export function decideRestore({ recorded, endedAs, mode, currentHash }: RestoreInputs): RestoreDecision {
  if (mode === 'never') return { restore: false, reason: 'restore is switched off (restore: never)' }
  // The checkpoint is written before the command starts: without it, the command never ran.
  if (recorded.stage === undefined) return { restore: false, reason: 'the migration command never started' }
  if (mode === 'always') return { restore: true, reason: 'restore is always done (restore: always)' }
  if (endedAs === 'interrupted' || recorded.stage === 'migrating') {
    return { restore: true, reason: 'the migration was interrupted while it ran: what it changed is unknown' }
  }
  if (endedAs === 'failed') {
    return { restore: true, reason: 'the migration failed part-way: schema changes are not transactional, some may have been applied' }
  }
  const beforeHash = (recorded.before as { hash?: unknown } | undefined)?.hash
  if (typeof beforeHash !== 'string') return { restore: true, reason: 'the record has no schema fingerprint from before the migration' }
  if (recorded.changed === true) {
    const diff = Array.isArray(recorded.diff) ? recorded.diff.length : 0
    return { restore: true, reason: `the migration changed the schema (${diff} change${diff === 1 ? '' : 's'})` }
  }
  if (recorded.changed !== false) return { restore: true, reason: 'whether the migration changed the schema is unknown' }
  if (currentHash === null) return { restore: true, reason: 'the schema could not be read to confirm it is unchanged' }
  if (currentHash !== beforeHash) return { restore: true, reason: 'the schema now differs from before the migration' }
  return { restore: false, reason: 'the migration changed no schema and the schema is as it was before it' }
}
