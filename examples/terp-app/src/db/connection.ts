import mysql from 'mysql2'
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'

export type Db = MySql2Database

export interface Database {
  db: Db
  /** The raw promise pool, for the health check's ping. */
  pool: mysql.Pool
  close(): Promise<void>
}

/**
 * A small pool that connects lazily, so the app starts (and says it is unhealthy) while the
 * database is down. Dates are read and written as UTC.
 */
export function openDatabase(url: string, opts: { connectionLimit?: number } = {}): Database {
  const pool = mysql.createPool({ uri: url, connectionLimit: opts.connectionLimit ?? 8, connectTimeout: 3000, timezone: 'Z', enableKeepAlive: true })
  return {
    db: drizzle(pool),
    pool,
    close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  }
}
