import type { Connection } from 'mysql2/promise'
import { describeConnectError } from './errors.js'
import type { MysqlTarget } from './url.js'

export interface ConnectOptions {
  /** Connect without selecting the target's database (to create or drop schemas). */
  noDatabase?: boolean
  connectTimeoutMs?: number
}

/** Opens a mysql2 connection to the target. mysql2 is loaded here, on first use, never at start-up. */
export async function openConnection(target: MysqlTarget, opts: ConnectOptions = {}): Promise<Connection> {
  const mysql = await import('mysql2/promise')
  const ssl = sslOption(target.params)
  try {
    return await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: opts.noDatabase || !target.database ? undefined : target.database,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: true,
      charset: 'utf8mb4',
      ...(ssl ? { ssl } : {}),
    })
  } catch (error) {
    throw describeConnectError(error, target)
  }
}

/** ?ssl=true (or required) asks for TLS with the system's CAs; anything else leaves TLS to the server. */
export function sslOption(params: Record<string, string>): { rejectUnauthorized: boolean } | undefined {
  const value = (params.ssl ?? params['ssl-mode'] ?? params.sslmode ?? '').toLowerCase()
  if (['true', '1', 'required', 'require', 'verify_identity', 'verify-full'].includes(value)) return { rejectUnauthorized: true }
  return undefined
}

/** Runs a query and returns its rows as plain objects. */
export async function queryRows<T = Record<string, unknown>>(conn: Connection, sql: string, values?: unknown[]): Promise<T[]> {
  const [rows] = await conn.query(sql, values)
  return rows as T[]
}

/** Closes a connection and never throws: used in finally blocks after the real error. */
export async function closeQuietly(conn: Connection | undefined): Promise<void> {
  if (!conn) return
  try {
    await conn.end()
  } catch {
    conn.destroy()
  }
}

/**
 * Works through `items` on several connections at once, each connection taking the next item as
 * soon as it is free: a statement keeps one server core busy per connection.
 */
export async function eachOnConnections<T>(connections: readonly Connection[], items: readonly T[], work: (conn: Connection, item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(
    connections.map(async (conn) => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(conn, item)
    }),
  )
}
