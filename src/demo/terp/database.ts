import { randomBytes } from 'node:crypto'
import { openConnection, closeQuietly } from '../../adapters/database/connect.js'
import { parseMysqlUrl } from '../../adapters/database/url.js'
import { scratchGrantPattern } from '../../steps/migrate/scratch-name.js'

export interface DemoDatabase {
  /** mysql://user:password@host:port/database for the app and the rollout (holds the password). */
  url: string
  database: string
  user: string
}

/**
 * A fresh staging database on the given server, with its own user and a new random password, as a
 * team's staging database would have: the demo then shows that the password never leaks. The user
 * gets every privilege on that one database (what a backup and a migration need) and on the
 * migration rehearsal's scratch databases beside it, and nothing else.
 */
export async function prepareDemoDatabase(serverUrl: string, name: string): Promise<DemoDatabase> {
  const server = parseMysqlUrl(serverUrl)
  const password = randomBytes(18).toString('base64url')
  const conn = await openConnection(server, { noDatabase: true })
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
    // Over TCP the server may see the client as 'localhost' or as an address: cover both.
    for (const host of ['localhost', '%']) {
      await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [name, host, password])
      await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [name, host, password])
      await conn.query(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO ?@?`, [name, host])
      // The rehearsal runs the migration on a copy first: it needs there what it has on staging.
      await conn.query(`GRANT ALL PRIVILEGES ON \`${scratchGrantPattern(name)}\`.* TO ?@?`, [name, host])
      // RELOAD: the brief global read lock that lets a backup checksum exactly the rows it dumps,
      // which is what allows a restore to replay only the tables that changed.
      await conn.query('GRANT RELOAD ON *.* TO ?@?', [name, host])
    }
  } finally {
    await closeQuietly(conn)
  }
  const url = new URL(`mysql://${server.host}:${server.port}/${name}`)
  url.username = name
  url.password = password
  return { url: url.toString(), database: name, user: name }
}
