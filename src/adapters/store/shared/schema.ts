import { RolloutError } from '../../../shared/errors.js'
import type { SqlDialect, SqlDriver } from './driver.js'

/** The tables of a shared store, each name starting with the configured prefix. */
export function tableNames(prefix: string) {
  return { runs: `${prefix}runs`, steps: `${prefix}steps`, events: `${prefix}events`, locks: `${prefix}locks`, schema: `${prefix}schema` }
}

/**
 * MIGRATIONS[n] brings the shared store's tables from version n to n+1. Applied in order, each
 * noted in the schema table; never edited once released (add the next one instead).
 */
const MIGRATIONS: ((d: SqlDialect, prefix: string) => string[])[] = [
  (d, prefix) => {
    const t = tableNames(prefix)
    const q = d.quote
    const { key, text, real, bigint, serial } = d.types
    return [
      `CREATE TABLE ${q(t.runs)} (id ${key} PRIMARY KEY, environment ${key} NOT NULL, status ${key} NOT NULL,
        started_at ${key} NOT NULL, finished_at ${key}, ${q('user')} ${text} NOT NULL, host ${text} NOT NULL, pid INTEGER NOT NULL,
        plan ${text} NOT NULL, ${q('release')} ${text}, crossed_at ${key}, summary ${text}, config_file ${text} NOT NULL)${d.tableOptions}`,
      `CREATE INDEX ${q(`${t.runs}_env`)} ON ${q(t.runs)} (environment, started_at)`,
      `CREATE TABLE ${q(t.steps)} (run_id ${key} NOT NULL, step_id ${key} NOT NULL, pass ${key} NOT NULL, phase ${text} NOT NULL,
        title ${text} NOT NULL, status ${key} NOT NULL, attempt INTEGER NOT NULL, started_at ${key}, finished_at ${key},
        duration_ms ${real}, summary ${text}, data ${text} NOT NULL, output ${text} NOT NULL, evidence ${text} NOT NULL,
        undo_status ${key}, undo_summary ${text}, undo_duration_ms ${real}, seq INTEGER NOT NULL, PRIMARY KEY (run_id, step_id, pass))${d.tableOptions}`,
      `CREATE TABLE ${q(t.events)} (seq ${serial}, run_id ${key} NOT NULL, at ${key} NOT NULL, type ${key} NOT NULL, body ${text} NOT NULL)${d.tableOptions}`,
      `CREATE INDEX ${q(`${t.events}_run`)} ON ${q(t.events)} (run_id, seq)`,
      `CREATE TABLE ${q(t.locks)} (environment ${key} PRIMARY KEY, run_id ${key} NOT NULL, owner ${text} NOT NULL, lease_until ${bigint} NOT NULL)${d.tableOptions}`,
    ]
  },
]

export const STORE_SCHEMA_VERSION = MIGRATIONS.length

export interface SchemaStatus {
  /** The version the tables are at; 0 when there are none yet. */
  version: number
  latest: number
}

export async function schemaStatus(driver: SqlDriver, prefix: string): Promise<SchemaStatus> {
  const table = driver.dialect.quote(tableNames(prefix).schema)
  try {
    const { rows } = await driver.query(`SELECT MAX(version) AS version FROM ${table}`)
    return { version: Number(rows[0]?.version ?? 0), latest: STORE_SCHEMA_VERSION }
  } catch (error) {
    if (isMissingTable(error)) return { version: 0, latest: STORE_SCHEMA_VERSION }
    throw error
  }
}

/**
 * Brings the tables to the latest version, holding a database-wide lock so two machines starting at
 * once do not both create them. Returns the versions applied. A store written by a newer Rollout is
 * refused: its rows may mean what this version does not know.
 */
export async function migrateSchema(driver: SqlDriver, prefix: string): Promise<number[]> {
  return driver.exclusive(`rollout-schema-${prefix}`, async () => {
    const { quote } = driver.dialect
    const table = quote(tableNames(prefix).schema)
    await driver.query(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, applied_at ${driver.dialect.types.key} NOT NULL)${driver.dialect.tableOptions}`)
    const { version } = await schemaStatus(driver, prefix)
    if (version > STORE_SCHEMA_VERSION) {
      throw new RolloutError('STATE', `the shared store's tables are at version ${version}, newer than this Rollout knows (${STORE_SCHEMA_VERSION})`, 'upgrade Rollout on this machine')
    }
    const applied: number[] = []
    for (let next = version; next < STORE_SCHEMA_VERSION; next++) {
      // MySQL commits each CREATE on its own, so a migration is not one transaction there; every
      // statement of a version is run before the version is noted, and a half-applied one fails loudly.
      for (const statement of MIGRATIONS[next]!(driver.dialect, prefix)) await driver.query(statement)
      await driver.query(`INSERT INTO ${table} (version, applied_at) VALUES (?, ?)`, [next + 1, new Date().toISOString()])
      applied.push(next + 1)
    }
    return applied
  })
}

function isMissingTable(error: unknown): boolean {
  const e = error as { code?: string }
  return e?.code === '42P01' || e?.code === 'ER_NO_SUCH_TABLE'
}
