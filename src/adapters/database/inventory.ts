import type { Connection } from 'mysql2/promise'
import { eachOnConnections, queryRows } from './connect.js'
import { quoteIdent } from './url.js'
import type { ObjectCounts } from './manifest.js'

export interface LiveTable {
  name: string
  engine: string | null
  /** Bytes on disk (data + indexes), an estimate used for progress. */
  approxBytes: number
  /** InnoDB and the like: readable in a consistent snapshot. */
  transactional: boolean
}

const NON_TRANSACTIONAL = new Set(['myisam', 'aria', 'memory', 'csv', 'archive', 'merge', 'mrg_myisam', 'federated', 'blackhole'])

/** Base tables of a database, by name. Views are counted among the objects instead. */
export async function listTables(conn: Connection, database: string): Promise<LiveTable[]> {
  const rows = await queryRows<{ name: string; engine: string | null; bytes: number | string | null }>(
    conn,
    `SELECT TABLE_NAME AS name, ENGINE AS engine, COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS bytes
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  )
  return rows.map((r) => ({
    name: String(r.name),
    engine: r.engine === null ? null : String(r.engine),
    approxBytes: Number(r.bytes ?? 0),
    transactional: !NON_TRANSACTIONAL.has(String(r.engine ?? '').toLowerCase()),
  }))
}

export async function countObjects(conn: Connection, database: string): Promise<ObjectCounts> {
  const [row] = await queryRows<Record<keyof ObjectCounts, number | string>>(
    conn,
    `SELECT
       (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?) AS views,
       (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?) AS triggers,
       (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')) AS routines,
       (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?) AS events`,
    [database, database, database, database],
  )
  return { views: Number(row?.views ?? 0), triggers: Number(row?.triggers ?? 0), routines: Number(row?.routines ?? 0), events: Number(row?.events ?? 0) }
}

export interface NamedObjects {
  views: string[]
  triggers: { name: string; table: string }[]
  routines: { name: string; type: 'PROCEDURE' | 'FUNCTION' }[]
  events: string[]
}

export async function listObjects(conn: Connection, database: string): Promise<NamedObjects> {
  const views = await queryRows<{ n: string }>(conn, 'SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [database])
  const triggers = await queryRows<{ n: string; t: string }>(conn, 'SELECT TRIGGER_NAME AS n, EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [database])
  const routines = await queryRows<{ n: string; t: 'PROCEDURE' | 'FUNCTION' }>(
    conn,
    "SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')",
    [database],
  )
  const events = await queryRows<{ n: string }>(conn, 'SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [database])
  return {
    views: views.map((r) => String(r.n)),
    triggers: triggers.map((r) => ({ name: String(r.n), table: String(r.t) })),
    routines: routines.map((r) => ({ name: String(r.n), type: r.t })),
    events: events.map((r) => String(r.n)),
  }
}

/** CHECKSUM TABLE; null when the engine cannot say. Inside a transaction it reads that snapshot. */
export async function checksumTable(conn: Connection, database: string, table: string): Promise<number | null> {
  const [row] = await queryRows<{ Checksum: number | string | null }>(conn, `CHECKSUM TABLE ${quoteIdent(database)}.${quoteIdent(table)}`)
  return row?.Checksum === null || row?.Checksum === undefined ? null : Number(row.Checksum)
}

export async function countRows(conn: Connection, database: string, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(conn, `SELECT COUNT(*) AS n FROM ${quoteIdent(database)}.${quoteIdent(table)}`)
  return Number(row?.n ?? 0)
}

export async function showCreateTable(conn: Connection, database: string, table: string): Promise<string> {
  const [row] = await queryRows<Record<string, string>>(conn, `SHOW CREATE TABLE ${quoteIdent(database)}.${quoteIdent(table)}`)
  return String(row?.['Create Table'] ?? '')
}

/**
 * Checksums several tables on a few connections at once: CHECKSUM TABLE keeps one core busy per
 * connection, and the proof after a restore should not take longer than the restore.
 */
export async function checksumTables(
  connections: Connection[],
  database: string,
  tables: string[],
  onTable?: (table: string, checksum: number | null) => void,
): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>()
  await eachOnConnections(connections, tables, async (conn, table) => {
    const sum = await checksumTable(conn, database, table)
    out.set(table, sum)
    onTable?.(table, sum)
  })
  return out
}

export async function databaseCharset(conn: Connection, database: string): Promise<{ characterSet: string; collation: string } | null> {
  const [row] = await queryRows<{ cs: string; co: string }>(conn, 'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])
  return row ? { characterSet: String(row.cs), collation: String(row.co) } : null
}

/** CHARACTER SET … COLLATE … for CREATE DATABASE, from a manifest; empty when unknown. */
export function charsetClause(charset: { characterSet: string; collation: string } | null | undefined): string {
  if (!charset || !/^\w+$/.test(charset.characterSet) || !/^\w+$/.test(charset.collation)) return ''
  return ` CHARACTER SET ${charset.characterSet} COLLATE ${charset.collation}`
}
