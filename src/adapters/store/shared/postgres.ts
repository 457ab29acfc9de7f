import pg from 'pg'
import { pooledDriver, type SqlDialect, type SqlDriver, type SqlSession } from './driver.js'

const dialect: SqlDialect = {
  name: 'postgres',
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  types: { key: 'TEXT', text: 'TEXT', real: 'DOUBLE PRECISION', bigint: 'BIGINT', serial: 'BIGSERIAL PRIMARY KEY' },
  tableOptions: '',
  insertIgnore: (table, columns) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
  // clock_timestamp, not now(): now() stands still for a whole transaction.
  nowMs: `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`,
  appendTail: (column, max) => `RIGHT(${column} || ? || E'\\n', ${max})`,
}

/** `?` → `$1, $2, …` (the statements here hold no `?` inside string literals). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

function session(client: pg.Pool | pg.PoolClient): SqlSession {
  return {
    async query(sql, params = []) {
      const result = await client.query(numbered(sql), params as unknown[])
      return { rows: result.rows, changes: result.rowCount ?? 0 }
    },
  }
}

/** A PostgreSQL pool. The URL holds the credentials; it is never printed (see describeStore). */
export function postgresDriver(url: string): SqlDriver {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 })
  // A connection the server closes while idle (a restart, a fail-over) is dropped from the pool and
  // replaced at the next query; unheard, its error would end the process.
  pool.on('error', () => undefined)
  return pooledDriver(dialect, {
    direct: session(pool),
    async connect() {
      const client = await pool.connect()
      return { ...session(client), release: (broken) => client.release(broken) }
    },
    // The session-level lock outlives a transaction: held across the migration's statements.
    takeLock: 'SELECT pg_advisory_lock(hashtext(?))',
    giveLock: 'SELECT pg_advisory_unlock(hashtext(?))',
    end: () => pool.end(),
  })
}
