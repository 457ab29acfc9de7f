import { randomBytes } from 'node:crypto'

/**
 * The MySQL/MariaDB server tests use: ROLLOUT_TEST_MYSQL_URL (set by scripts/test.sh, which starts a
 * server when none is running), else the machine's own on 127.0.0.1:3306.
 */
export function testServerUrl(): string {
  return process.env.ROLLOUT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
}

/** A fresh database with a unique name (on `server`, default the tests' server); `drop()` removes it. */
export async function createTestDatabase(prefix = 't', server = testServerUrl()): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const mysql = await import('mysql2/promise')
  const name = `${prefix}_${randomBytes(4).toString('hex')}`
  const conn = await mysql.createConnection(server)
  await conn.query(`CREATE DATABASE \`${name}\``)
  await conn.end()
  return {
    name,
    url: `${server.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const c = await mysql.createConnection(server)
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await c.end()
    },
  }
}
