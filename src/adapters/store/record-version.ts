import { RolloutError } from '../../shared/errors.js'
import type { Database } from './sqlite.js'

/**
 * The layout of the run record this code reads and writes, kept in SQLite's `user_version`. A record
 * from before versions reads 0. Raise it with each change to what rows mean, and add the step that
 * brings the previous version's rows to it to UPGRADES.
 */
export const RECORD_VERSION = 1

type Json = Record<string, unknown>

/** UPGRADES[n] turns a version-n record into a version n+1 one, inside the caller's transaction. */
const UPGRADES: ((db: Database) => void)[] = [
  // 1: the pass that re-runs the smoke steps to prove a rollback was called `verify`, the name of a
  // phase too; it is `proof`, in the steps rows and in the events' JSON. The plan's list of the
  // phases it re-runs follows it (rollbackVerifyPhases → rollbackProofPhases).
  (db) => {
    db.prepare(`UPDATE steps SET pass = 'proof' WHERE pass = 'verify'`).run()
    rewriteJson(db, 'events', 'seq', 'body', (event) => {
      if (event.pass !== 'verify') return false
      event.pass = 'proof'
      return true
    })
    rewriteJson(db, 'runs', 'id', 'plan', (plan) => {
      if (!('rollbackVerifyPhases' in plan)) return false
      plan.rollbackProofPhases = plan.rollbackVerifyPhases
      delete plan.rollbackVerifyPhases
      return true
    })
  },
]

/**
 * Creates the tables a new record lacks and brings an older record up to RECORD_VERSION, all in one
 * transaction (a process killed halfway leaves the old record as it was). A newer record is refused
 * before anything is written to it: this code would misread its rows and could write wrong ones
 * beside them.
 */
export function upgradeRecord(db: Database, file: string, schema: string): void {
  const version = checkedVersion(db, file)
  db.exec(schema)
  if (version === RECORD_VERSION) return
  // IMMEDIATE takes the write lock first; the version is read again under it, since another process
  // opening the same record may have upgraded it in the meantime.
  db.exec('BEGIN IMMEDIATE')
  try {
    for (let version = checkedVersion(db, file); version < RECORD_VERSION; version++) UPGRADES[version]!(db)
    db.exec(`PRAGMA user_version = ${RECORD_VERSION}`)
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}

function checkedVersion(db: Database, file: string): number {
  const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0)
  if (version > RECORD_VERSION) {
    throw new RolloutError(
      'STATE',
      `the run record at ${file} is version ${version}, written by a newer rollout; this one reads up to version ${RECORD_VERSION}`,
      'run it with the rollout version that wrote the record, or a newer one',
    )
  }
  return version
}

/** Rewrites one JSON column row by row, writing back only the rows `change` changed. */
function rewriteJson(db: Database, table: string, key: string, column: string, change: (value: Json) => boolean): void {
  const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`)
  for (const row of db.prepare(`SELECT ${key} AS k, ${column} AS v FROM ${table}`).all()) {
    const value = JSON.parse(String(row.v)) as Json
    if (change(value)) update.run(JSON.stringify(value), row.k)
  }
}
