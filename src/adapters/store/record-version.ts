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
const UPGRADES: ((db: Database) => void)[] = [toVersion1]

/**
 * Default steps that took their kind's name at version 1, old id → kind. Kept here as they were then
 * (not read from the plan's current table): a version-1 upgrade must do the same thing forever.
 */
const VERSION_1_STEP_IDS: Readonly<Record<string, string>> = { 'api-health': 'http', 'critical-flows': 'browser', 'close-announcement': 'announce-close' }

/**
 * Version 1. The pass that re-runs the smoke steps to prove a rollback was called `verify`, the name
 * of a phase too: it is `proof`, in the steps rows and in the events, and the plan's list of the
 * phases it re-runs follows it (rollbackVerifyPhases → rollbackProofPhases). Three default steps
 * took their kind's name, in the plan, the steps rows and the events, so a run recorded before is
 * resumed and rolled back by today's plan. A run whose plan already has a step of the new name (one
 * the config added) keeps its ids: two steps would have one.
 */
function toVersion1(db: Database): void {
  db.prepare(`UPDATE steps SET pass = 'proof' WHERE pass = 'verify'`).run()
  const renames = new Map<string, Map<string, string>>()
  const updateRun = db.prepare('UPDATE runs SET plan = ?, crossed_at = ? WHERE id = ?')
  const renameStep = db.prepare('UPDATE steps SET step_id = ? WHERE run_id = ? AND step_id = ?')
  for (const row of db.prepare('SELECT id, plan, crossed_at FROM runs').all()) {
    const runId = String(row.id)
    const plan = JSON.parse(String(row.plan)) as Json & { steps?: { id: string; kind: string; after?: string[] }[] }
    const steps = plan.steps ?? []
    const ids = new Set(steps.map((s) => s.id))
    const renamed = new Map(steps.flatMap((s) => (VERSION_1_STEP_IDS[s.id] === s.kind && !ids.has(s.kind) ? [[s.id, s.kind] as const] : [])))
    renames.set(runId, renamed)
    const to = (id: string) => renamed.get(id) ?? id
    for (const step of steps) {
      step.id = to(step.id)
      if (step.after) step.after = step.after.map(to)
    }
    if (typeof plan.pointOfNoReturn === 'string') plan.pointOfNoReturn = to(plan.pointOfNoReturn)
    if ('rollbackVerifyPhases' in plan) {
      plan.rollbackProofPhases = plan.rollbackVerifyPhases
      delete plan.rollbackVerifyPhases
    }
    updateRun.run(JSON.stringify(plan), typeof row.crossed_at === 'string' ? to(row.crossed_at) : null, runId)
    for (const [from, id] of renamed) renameStep.run(id, runId, from)
  }
  rewriteJson(db, 'events', 'seq', 'body', (event) => {
    if (event.pass === 'verify') event.pass = 'proof'
    const renamed = renames.get(String(event.runId))
    if (!renamed?.size) return
    const to = (id: unknown) => (typeof id === 'string' ? (renamed.get(id) ?? id) : id)
    for (const key of ['stepId', 'pointOfNoReturn']) if (key in event) event[key] = to(event[key])
    if (Array.isArray(event.stepIds)) event.stepIds = event.stepIds.map(to)
  })
}

/**
 * Creates the tables a new record lacks, and brings an older record up to RECORD_VERSION in one
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

/** Rewrites one JSON column row by row, in place through `change`; writes back only the rows it changed. */
function rewriteJson(db: Database, table: string, key: string, column: string, change: (value: Json) => void): void {
  const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`)
  for (const row of db.prepare(`SELECT ${key} AS k, ${column} AS v FROM ${table}`).all()) {
    const value = JSON.parse(String(row.v)) as Json
    change(value)
    const text = JSON.stringify(value)
    if (text !== row.v) update.run(text, row.k)
  }
}
