import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureMysqlServer, stopPrivateMysqlServer } from '../../src/sandbox/mysql-server.js'

async function version(url: string): Promise<string> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 })
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v')
    return (rows as { v: string }[])[0]!.v
  } finally {
    await conn.end()
  }
}

describe('a MySQL/MariaDB server for tests and the demo', () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'rollout-mysqld-'))
  after(async () => {
    await stopPrivateMysqlServer(stateDir)
    rmSync(stateDir, { recursive: true, force: true })
  })

  it('uses ROLLOUT_MYSQL_URL when it is set, starting nothing', async () => {
    const server = await ensureMysqlServer({ stateDir, env: { ROLLOUT_MYSQL_URL: 'mysql://app:pw@db.example:3306' } })
    assert.deepEqual([server.url, server.started, server.source], ['mysql://app:pw@db.example:3306', false, 'env'])
  })

  it('starts a private server on a free port from the local binaries, reuses it, and stops it', async () => {
    const lines: string[] = []
    const server = await ensureMysqlServer({ stateDir, env: {}, tryDefaultPort: false, log: (l) => lines.push(l) })
    assert.equal(server.started, true)
    assert.equal(server.source, 'private')
    assert.notEqual(server.port, 3306)
    assert.match(await version(server.url), /\d+\.\d+\.\d+/)
    assert.ok(existsSync(path.join(stateDir, 'data')))
    assert.ok(existsSync(path.join(stateDir, 'server.json')))

    const again = await ensureMysqlServer({ stateDir, env: {}, tryDefaultPort: false })
    assert.deepEqual([again.url, again.started, again.pid], [server.url, false, server.pid])

    await server.stop()
    await assert.rejects(version(server.url))
    assert.equal(existsSync(path.join(stateDir, 'server.json')), false)
    assert.ok(lines.some((l) => /started a private/.test(l)))
  })

  it('a private server starting leaves another server\'s temporary tables alone (each has a tmpdir of its own)', async (t) => {
    const first = mkdtempSync(path.join(os.tmpdir(), 'rollout-mysqld-a-'))
    const second = mkdtempSync(path.join(os.tmpdir(), 'rollout-mysqld-b-'))
    t.after(async () => {
      for (const dir of [first, second]) {
        await stopPrivateMysqlServer(dir)
        rmSync(dir, { recursive: true, force: true })
      }
    })
    const a = await ensureMysqlServer({ stateDir: first, env: {}, tryDefaultPort: false })
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: a.url })
    t.after(() => conn.destroy())
    // An explicit temporary table lives in files named #sql* in the server's tmpdir.
    await conn.query('CREATE DATABASE IF NOT EXISTS scratch')
    await conn.query('CREATE TEMPORARY TABLE scratch.kept (id INT) ENGINE=Aria')
    await conn.query('INSERT INTO scratch.kept VALUES (1), (2), (3)')
    assert.ok(readdirSync(path.join(first, 'tmp')).some((n) => n.startsWith('#sql')), 'the temporary table is not in the server\'s own tmpdir')

    // A second server starting (data folder made, then started) deletes #sql* files in its own tmpdir only.
    await ensureMysqlServer({ stateDir: second, env: {}, tryDefaultPort: false })

    const [rows] = await conn.query('SELECT COUNT(*) AS n FROM scratch.kept')
    assert.equal((rows as { n: number }[])[0]!.n, 3)
    await conn.query('DROP TEMPORARY TABLE scratch.kept')
    assert.match(await version(a.url), /\d+\.\d+\.\d+/, 'the first server is gone')
  })
})
