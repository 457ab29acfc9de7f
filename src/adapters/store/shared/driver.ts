import type { Row } from '../rows.js'

export interface QueryResult {
  rows: Row[]
  /** Rows inserted, updated or deleted. */
  changes: number
}

/** One statement at a time, `?` placeholders in every dialect. */
export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>
}

/** What differs between the shared databases; everything else is one SQL text. */
export interface SqlDialect {
  readonly name: 'postgres' | 'mysql'
  quote(identifier: string): string
  /** Column types: an indexed string, long text, a float, a 64-bit integer, the auto-numbered key. */
  readonly types: { key: string; text: string; real: string; bigint: string; serial: string }
  /** Appended to CREATE TABLE (MySQL's character set). */
  readonly tableOptions: string
  /** INSERT that leaves an existing row with the same key alone. */
  insertIgnore(table: string, columns: readonly string[]): string
  /** The database server's clock, in milliseconds since the epoch. */
  readonly nowMs: string
  /** `column` with `?` and a newline appended, keeping its last `max` characters. */
  appendTail(column: string, max: number): string
}

/** A pool of connections to one shared database. */
export interface SqlDriver extends SqlSession {
  readonly dialect: SqlDialect
  /** Runs `work` in one transaction on one connection; rolled back when it throws. */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>
  /** Runs `work` holding a lock named `name` across every client of the database (schema changes). */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Errors where the connection, not the statement, failed: worth a new connection and another try. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string; fatal?: boolean }
  if (e?.fatal) return true
  const codes = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', '57P01', '57P02', '57P03', '08006', '08003', '08001']
  if (e?.code && codes.includes(e.code)) return true
  return /Connection terminated|connection is in closed state|Can't add new command when connection is in closed state|server closed the connection/i.test(e?.message ?? '')
}

/** A transaction the database chose to abort for another's sake (a deadlock): rolled back whole, safe to run again. */
export function isConflict(error: unknown): boolean {
  const code = (error as { code?: string })?.code
  return code === 'ER_LOCK_DEADLOCK' || code === '40P01' || code === '40001'
}

/**
 * Runs `attempt` again on connection errors (and, for a whole transaction, on conflicts), for up to
 * `patienceMs`: a dropped connection or a database fail-over (seconds) is ridden out; a statement
 * error is not retried.
 */
export async function withReconnect<T>(attempt: () => Promise<T>, patienceMs = 15_000, transaction = false): Promise<T> {
  const started = Date.now()
  for (let wait = 50 + Math.random() * 50; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await attempt()
    } catch (error) {
      const retryable = isConnectionError(error) || (transaction && isConflict(error))
      if (!retryable || Date.now() - started + wait > patienceMs) throw error
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/** A pooled connection, handed back when done; a broken one is discarded, not reused. */
export interface PooledConnection extends SqlSession {
  release(broken: boolean): void
}

/** What a database's client library provides; `pooledDriver` builds the transactions and locks on it. */
export interface ConnectionPool {
  /** Statements outside a transaction, each on any free connection. */
  direct: SqlSession
  connect(): Promise<PooledConnection>
  /** Takes the database-wide named lock (`?` is its name) on one connection and gives it back. */
  takeLock: string
  giveLock: string
  end(): Promise<void>
}

export function pooledDriver(dialect: SqlDialect, pool: ConnectionPool): SqlDriver {
  /** Runs `work` on one connection, handing it back (discarded when `work` failed). */
  const onOne = async <T>(work: (connection: PooledConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.connect()
    let broken = false
    try {
      return await work(connection)
    } catch (error) {
      broken = true
      throw error
    } finally {
      connection.release(broken)
    }
  }
  return {
    dialect,
    query: (sql, params) => withReconnect(() => pool.direct.query(sql, params)),
    transaction: (work) =>
      withReconnect(
        () =>
          onOne(async (connection) => {
            await connection.query('BEGIN')
            try {
              const result = await work(connection)
              await connection.query('COMMIT')
              return result
            } catch (error) {
              await connection.query('ROLLBACK').catch(() => undefined)
              throw error
            }
          }),
        undefined,
        true,
      ),
    exclusive: (name, work) =>
      withReconnect(() =>
        onOne(async (connection) => {
          const { rows } = await connection.query(pool.takeLock, [name])
          if (Object.values(rows[0] ?? {}).some((v) => v === 0 || v === '0')) throw new Error(`another machine held the lock "${name}" for 60 s`)
          try {
            return await work()
          } finally {
            await connection.query(pool.giveLock, [name])
          }
        }),
      ),
    close: () => pool.end(),
  }
}
