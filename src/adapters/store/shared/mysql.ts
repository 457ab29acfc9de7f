import mysql from 'mysql2/promise'
import { pooledDriver, type SqlDialect, type SqlDriver, type SqlSession } from './driver.js'

const dialect: SqlDialect = {
  name: 'mysql',
  quote: (id) => `\`${id.replace(/`/g, '``')}\``,
  // 191 characters of utf8mb4 keep a three-column primary key inside InnoDB's limit.
  types: { key: 'VARCHAR(191)', text: 'LONGTEXT', real: 'DOUBLE', bigint: 'BIGINT', serial: 'BIGINT AUTO_INCREMENT PRIMARY KEY' },
  tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  insertIgnore: (table, columns) => `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  nowMs: 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)',
  appendTail: (column, max) => `RIGHT(CONCAT(${column}, ?, '\\n'), ${max})`,
}

function session(client: Pick<mysql.Pool, 'query'>): SqlSession {
  return {
    async query(sql, params = []) {
      const [result] = await client.query(sql, params as unknown[])
      if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], changes: 0 }
      return { rows: [], changes: (result as mysql.ResultSetHeader).affectedRows }
    },
  }
}

/** A MySQL/MariaDB pool. The URL holds the credentials; it is never printed (see describeStore). */
export function mysqlDriver(url: string): SqlDriver {
  // Found rows, not changed rows: a lease renewed within one millisecond still counts as renewed.
  const pool = mysql.createPool({ uri: url, connectionLimit: 4, charset: 'utf8mb4', flags: ['FOUND_ROWS'] })
  return pooledDriver(dialect, {
    direct: session(pool),
    async connect() {
      const connection = await pool.getConnection()
      return { ...session(connection), release: (broken) => (broken ? connection.destroy() : connection.release()) }
    },
    takeLock: 'SELECT GET_LOCK(?, 60) AS got',
    giveLock: 'SELECT RELEASE_LOCK(?)',
    end: () => pool.end(),
  })
}
