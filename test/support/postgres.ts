import { randomBytes } from 'node:crypto'

/**
 * The PostgreSQL server tests use: ROLLOUT_TEST_POSTGRES_URL (set by scripts/test.sh, which starts
 * a server when none is running), else the machine's own on 127.0.0.1:5432.
 */
export function testPostgresUrl(): string {
  return process.env.ROLLOUT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
}

/** A fresh database with a unique name on the tests' PostgreSQL server; `drop()` removes it. */
export async function createPostgresDatabase(prefix = 't'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const pg = (await import('pg')).default
  const server = testPostgresUrl()
  const name = `${prefix}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}
