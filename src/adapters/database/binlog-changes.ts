import type { Connection } from 'mysql2/promise'
import { queryRows } from './connect.js'
import { statementEffect } from './binlog-statements.js'

/** Where a backup's snapshot stands in the server's binary log, and which server that log is. */
export interface BinlogPosition {
  file: string
  position: number
  /** The server the position is in: a position means nothing in another server's log. */
  server: { id: number; hostname: string; port: number; datadir: string }
  /** Stored functions the database had then: a logged statement calling one writes unseen. */
  functions: number
}

/**
 * The binary log position of the snapshot `conn` has open (MariaDB reports it for a consistent
 * snapshot), or the log's end while a global read lock holds every writer (MySQL); null when the
 * server writes no binary log or the position cannot be known.
 */
export async function snapshotPosition(conn: Connection, database: string, lockHeld: boolean): Promise<BinlogPosition | null> {
  if (!(await writesBinlog(conn))) return null
  const status = new Map((await queryRows<{ Variable_name: string; Value: string }>(conn, "SHOW STATUS LIKE 'binlog_snapshot_%'")).map((r) => [r.Variable_name.toLowerCase(), r.Value]))
  let file = status.get('binlog_snapshot_file') ?? ''
  let position = Number(status.get('binlog_snapshot_position') ?? 0)
  if (!file && lockHeld) {
    const master = await logStatus(conn).catch(() => null)
    file = master?.File ?? ''
    position = Number(master?.Position ?? 0)
  }
  if (!file || !position) return null
  return { file, position, server: await serverIdentity(conn), functions: await countFunctions(conn, database) }
}

async function writesBinlog(conn: Connection): Promise<boolean> {
  const [on] = await queryRows<{ on: number | string }>(conn, 'SELECT @@log_bin AS `on`')
  return Number(on?.on) === 1
}

async function countFunctions(conn: Connection, database: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(conn, "SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'FUNCTION'", [database])
  return Number(row?.n ?? 0)
}

type LogStatus = { File?: string; Position?: number | string; Binlog_Do_DB?: string; Binlog_Ignore_DB?: string }

/** The log's current file and position and its filters (SHOW MASTER STATUS, renamed in MySQL 8.4). */
async function logStatus(conn: Connection): Promise<LogStatus | null> {
  const rows = await queryRows<LogStatus>(conn, 'SHOW MASTER STATUS').catch(() => queryRows<LogStatus>(conn, 'SHOW BINARY LOG STATUS'))
  return rows[0] ?? null
}

async function serverIdentity(conn: Connection): Promise<BinlogPosition['server']> {
  const [row] = await queryRows<{ id: number | string; hostname: string; port: number | string; datadir: string }>(conn, 'SELECT @@server_id AS id, @@hostname AS hostname, @@port AS port, @@datadir AS datadir')
  return { id: Number(row!.id), hostname: String(row!.hostname), port: Number(row!.port), datadir: String(row!.datadir) }
}

export type ChangedTables =
  | { usable: true; tables: Set<string>; events: number; through: { file: string; position: number } }
  | { usable: false; reason: string }

/**
 * The tables of `database` written since `since`, read from the server's binary log: row events
 * name their table, statements are read by `statementEffect`. Not usable (with the reason) when the
 * log is another server's, was purged, is filtered, or holds a statement whose tables cannot be
 * told: the caller then compares every table. `triggered` names tables with triggers: a statement
 * logged as text runs them unseen, so one on such a table is not attributed either; nor is any
 * statement logged as text while the database has stored functions, then or now.
 */
export async function tablesWrittenSince(conn: Connection, database: string, since: BinlogPosition, triggered: ReadonlySet<string>): Promise<ChangedTables> {
  if (!(await writesBinlog(conn))) return { usable: false, reason: 'the server writes no binary log now' }
  const here = await serverIdentity(conn)
  if (JSON.stringify(here) !== JSON.stringify(since.server)) return { usable: false, reason: `the binary log is another server's than the backup's (${here.hostname}:${here.port}, id ${here.id})` }
  const master = await logStatus(conn)
  if (master?.Binlog_Do_DB || master?.Binlog_Ignore_DB) return { usable: false, reason: 'the server filters what its binary log records (binlog-do-db / binlog-ignore-db)' }
  const logs = (await queryRows<{ Log_name: string }>(conn, 'SHOW BINARY LOGS')).map((r) => r.Log_name)
  const first = logs.indexOf(since.file)
  if (first < 0) return { usable: false, reason: `${since.file}, where the backup's position is, was purged from the binary log` }

  const tables = new Set<string>()
  // Triggers and routines made after the backup run unseen too, from the statement that made them on.
  const watch = { triggered: new Set(triggered), routines: since.functions > 0 || (await countFunctions(conn, database)) > 0 }
  let events = 0
  let through = { file: since.file, position: since.position }
  for (const file of logs.slice(first)) {
    let from = file === since.file ? since.position : 4
    for (;;) {
      const page = await queryRows<{ Pos: number | string; Event_type: string; End_log_pos: number | string; Info: string | null }>(conn, `SHOW BINLOG EVENTS IN ? FROM ${Number(from)} LIMIT 5000`, [file])
      for (const event of page) {
        events++
        const why = attribute(event.Event_type, event.Info ?? '', database, tables, watch)
        if (why) return { usable: false, reason: why }
        through = { file, position: Number(event.End_log_pos) }
      }
      if (page.length < 5000) break
      from = Number(page[page.length - 1]!.End_log_pos)
    }
  }
  return { usable: true, tables, events, through }
}

/** Adds the tables one event writes; a reason when the event's effect cannot be told. */
function attribute(type: string, info: string, database: string, tables: Set<string>, watch: { triggered: Set<string>; routines: boolean }): string | null {
  if (type === 'Table_map') {
    const match = /\(([\s\S]+)\)\s*$/.exec(info)
    const qualified = match?.[1] ?? ''
    if (qualified.startsWith(`${database}.`)) tables.add(qualified.slice(database.length + 1))
    else if (!match) return `a row event names no table (${info.slice(0, 80)})`
    return null
  }
  if (type === 'Query') {
    const use = /^use\s+`((?:[^`]|``)+)`\s*;\s*/i.exec(info)
    const defaultDatabase = use ? use[1]!.replace(/``/g, '`') : null
    const statement = use ? info.slice(use[0].length) : info
    const trigger = /^\s*CREATE\b[\s\S]*?\bTRIGGER\b[\s\S]*?\bON\s+(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$]+))\s*(?:\.\s*(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$]+)))?/i.exec(statement)
    if (trigger) {
      const [first, second] = [trigger[1] ?? trigger[2], trigger[3] ?? trigger[4]]
      const [db, table] = second ? [first!, second] : [defaultDatabase, first!]
      if (db === database) watch.triggered.add(table.replace(/``/g, '`'))
    }
    if (/^\s*CREATE\b[\s\S]*?\bFUNCTION\b/i.test(statement) && (defaultDatabase === database || statement.includes(database))) watch.routines = true
    const effect = statementEffect(statement, defaultDatabase, database)
    if (effect.kind === 'unknown') return `the binary log holds a statement whose tables cannot be told: ${effect.statement.slice(0, 120)}`
    if (effect.kind === 'tables') {
      if (effect.dml && effect.tables.some((t) => watch.triggered.has(t))) return `a statement logged as text writes a table with triggers (${effect.tables.join(', ')}), whose own writes the log does not show`
      if (effect.dml && watch.routines) return 'a statement logged as text may call stored functions of the database, whose writes the log does not show'
      for (const t of effect.tables) tables.add(t)
    }
    return null
  }
  if (QUIET_EVENTS.has(type)) return null
  return `the binary log holds a ${type} event, whose tables cannot be told`
}

/** Events that write nothing themselves: transaction bounds, bookkeeping, and the rows of a table already mapped. */
const QUIET_EVENTS = new Set([
  'Format_desc', 'Gtid_list', 'Binlog_checkpoint', 'Gtid', 'Xid', 'Rotate', 'Stop', 'Start_encryption', 'Annotate_rows',
  'Write_rows_v1', 'Update_rows_v1', 'Delete_rows_v1', 'Write_rows', 'Update_rows', 'Delete_rows', 'Write_rows_compressed_v1', 'Update_rows_compressed_v1', 'Delete_rows_compressed_v1',
  'Intvar', 'Rand', 'User var', 'Previous_gtids', 'Anonymous_Gtid', 'Rows_query', 'Heartbeat',
])
