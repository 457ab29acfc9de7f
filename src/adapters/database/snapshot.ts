import type { Connection } from 'mysql2/promise'
import { closeQuietly, openConnection } from './connect.js'
import { countObjects, countRows, checksumTable, databaseCharset, listTables, type LiveTable } from './inventory.js'
import type { ObjectCounts } from './manifest.js'
import type { MysqlTarget } from './url.js'
import { snapshotPosition, type BinlogPosition } from './binlog-changes.js'

export interface Snapshot {
  /** 'synchronised' when the dump's snapshot is opened under the same read lock as this one. */
  mode: 'synchronised' | 'separate'
  /** Why the lock could not be taken, when it could not. */
  note?: string
  tables: LiveTable[]
  objects: ObjectCounts
  /** The database's default character set and collation, to create it the same way on restore. */
  charset: { characterSet: string; collation: string } | null
  /** Where this snapshot stands in the server's binary log; null when there is none or it cannot be told. */
  binlog: BinlogPosition | null
  /** Lets writers go on. Call once the dump tool has opened its own transaction. */
  release(): Promise<void>
  /** The checksum of each table as this snapshot sees it. */
  checksums(onTable?: (table: string, index: number) => void, signal?: AbortSignal): Promise<Map<string, number | null>>
  /** Row counts of these tables as this snapshot sees them: for dumps whose rows could not be counted as they passed. */
  countRows(tables: string[]): Promise<Map<string, number>>
  close(): Promise<void>
}

/**
 * Opens a read snapshot that sees exactly what the dump will see. MySQL and MariaDB cannot share a
 * snapshot between connections, but no commit can happen while a global read lock is held: a
 * snapshot opened here under the lock, and the dump's opened before the lock is released, see the
 * same committed data. Writers wait only until the dump tool has started its transaction (a
 * fraction of a second). Checksums taken in this snapshot then describe the dumped rows even while
 * the application keeps writing, and cost one table scan each, concurrently with the dump. Rows
 * are counted from the dump as it passes; only a dump that keeps rows on its statement's line
 * (MySQL's) needs them counted here too.
 */
export async function openSnapshot(target: MysqlTarget, database: string, opts: { lockWaitSeconds?: number } = {}): Promise<Snapshot> {
  let lock: Connection | undefined = await openConnection(target)
  let note: string | undefined
  try {
    await lock.query(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(opts.lockWaitSeconds ?? 5))}`)
    await lock.query('FLUSH TABLES WITH READ LOCK')
  } catch (error) {
    const e = error as { code?: string; message?: string }
    note =
      e.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR' || e.code === 'ER_ACCESS_DENIED_ERROR'
        ? 'the account lacks the RELOAD privilege needed for a brief global read lock'
        : `the global read lock was not granted (${e.code ?? e.message})`
    await closeQuietly(lock)
    lock = undefined
  }

  const conn = await openConnection(target).catch(async (error) => {
    await closeQuietly(lock)
    throw error
  })
  try {
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT')
    // Under the lock no DDL runs either: this list is the one the dump will write.
    const tables = await listTables(conn, database)
    const objects = await countObjects(conn, database)
    const charset = await databaseCharset(conn, database)
    const binlog = await snapshotPosition(conn, database, lock !== undefined).catch(() => null)
    let released = false
    const release = async () => {
      if (released) return
      released = true
      if (lock) {
        await lock.query('UNLOCK TABLES').catch(() => {})
        await closeQuietly(lock)
      }
    }
    return {
      mode: lock ? 'synchronised' : 'separate',
      ...(note ? { note } : {}),
      tables,
      objects,
      charset,
      binlog,
      release,
      async checksums(onTable, signal) {
        const out = new Map<string, number | null>()
        // A running CHECKSUM TABLE stops only when its connection goes.
        const onAbort = () => conn.destroy()
        signal?.addEventListener('abort', onAbort, { once: true })
        try {
          for (const [index, table] of tables.entries()) {
            signal?.throwIfAborted()
            out.set(table.name, await checksumTable(conn, database, table.name))
            onTable?.(table.name, index)
          }
        } finally {
          signal?.removeEventListener('abort', onAbort)
        }
        return out
      },
      async countRows(names) {
        const out = new Map<string, number>()
        for (const name of names) out.set(name, await countRows(conn, database, name))
        return out
      },
      async close() {
        await release()
        await conn.query('COMMIT').catch(() => {})
        await closeQuietly(conn)
      },
    }
  } catch (error) {
    await closeQuietly(lock)
    await closeQuietly(conn)
    throw error
  }
}
