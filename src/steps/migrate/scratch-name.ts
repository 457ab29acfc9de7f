/**
 * The name of a rehearsal's scratch database, and the run it belongs to read back from a name.
 * Pure. The run id is in the name so that the next run can tell a scratch database left by a run
 * that was killed (dropped) from one of a run still going (left alone).
 */

const MARK = '_rehearse_'
/** MySQL and MariaDB refuse schema names longer than this. */
const MAX_NAME = 64
/** A run id as newRunId makes it: 20261205-031211-ab12. */
const RUN_ID = /^(\d{8})-(\d{6})-([0-9a-f]{4})$/
const COMPACT = /^(\d{8})(\d{6})([0-9a-f]{4})$/

/** `<database>_rehearse_<run id without dashes>`, the database shortened to fit 64 characters. */
export function scratchName(database: string, runId: string): string {
  return `${scratchPrefix(database)}${compactRunId(runId)}`
}

/** What every scratch name of this database starts with: room is kept for an 18-character id. */
export function scratchPrefix(database: string): string {
  return `${database.slice(0, MAX_NAME - MARK.length - 18)}${MARK}`
}

/** The run id a scratch name of this database was made for, or null when the name is not one. */
export function runIdOfScratch(database: string, name: string): string | null {
  const prefix = scratchPrefix(database)
  if (!name.startsWith(prefix)) return null
  const m = COMPACT.exec(name.slice(prefix.length))
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null
}

function compactRunId(runId: string): string {
  // Ids of another shape (tests name runs freely) are kept to what an unquoted name allows.
  return RUN_ID.test(runId) ? runId.replace(/-/g, '') : runId.replace(/[^A-Za-z0-9]/g, '').slice(0, 18)
}

/** The grant pattern that covers every scratch name of this database (`_` escaped: LIKE's wildcard). */
export function scratchGrantPattern(database: string): string {
  return `${scratchPrefix(database).replace(/_/g, '\\_')}%`
}
