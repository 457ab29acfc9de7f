import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { listBackups } from '../../../src/adapters/database/catalog.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import { clearToolCache } from '../../../src/adapters/database/tools.js'
import { ensureMysqlServer, type MysqlServer } from '../../../src/sandbox/mysql-server.js'
import { connect, createTestDatabase, tempDir, testServerUrl } from './support.js'

const isReason = (reason: string) => (e: unknown) => e instanceof DatabaseError && e.reason === reason

describe('backups that cannot be made say why, and leave nothing that looks like a backup', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>

  before(async () => {
    db = await createTestDatabase('flt')
    folder = tempDir()
    const conn = await connect(db.url)
    // Random bytes do not compress: the dump is about as large on disk as in the database.
    await conn.query('CREATE TABLE noise (id INT PRIMARY KEY, b BLOB)')
    for (let i = 0; i < 4; i++) {
      await conn.query(`INSERT INTO noise WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500) SELECT n + ${i * 500}, RANDOM_BYTES(1024) FROM s`)
    }
    await conn.end()
  })
  after(async () => {
    await db.drop()
    folder.cleanup()
  })

  it('wrong password: AUTH, and the password is in no message', async () => {
    const server = new URL(testServerUrl())
    const url = `mysql://nobody_here:Wr0ng-Pa55@${server.hostname}:${server.port || 3306}/${db.name}`
    await assert.rejects(createBackup({ url, dir: folder.dir }), (e: unknown) => isReason('AUTH')(e) && !(e as Error).message.includes('Wr0ng-Pa55') && !String((e as DatabaseError).hint).includes('Wr0ng-Pa55'))
  })

  it('database missing: NO_DATABASE naming it', async () => {
    await assert.rejects(createBackup({ url: `${testServerUrl()}/no_such_db_here`, dir: folder.dir }), (e: unknown) => isReason('NO_DATABASE')(e) && /no_such_db_here/.test((e as Error).message))
  })

  it('dump tool missing: TOOL_MISSING naming the packages to install', async () => {
    const saved = process.env.PATH
    const empty = path.join(folder.dir, 'empty-bin')
    mkdirSync(empty)
    process.env.PATH = empty
    clearToolCache()
    try {
      await assert.rejects(createBackup({ url: db.url, dir: path.join(folder.dir, 'no-tool') }), (e: unknown) => {
        const err = e as DatabaseError
        return isReason('TOOL_MISSING')(e) && /mariadb-dump/.test(err.message) && /mariadb-client/.test(err.hint ?? '') && /mysql-client/.test(err.hint ?? '')
      })
    } finally {
      process.env.PATH = saved
      clearToolCache()
    }
  })

  it('stopped through its signal: ABORTED, no file left', async () => {
    const dir = path.join(folder.dir, 'aborted')
    const controller = new AbortController()
    await assert.rejects(
      createBackup({ url: db.url, dir, signal: controller.signal, onProgress: (p) => p.stage === 'dump' && p.bytesDone > 0 && controller.abort() }),
      isReason('ABORTED'),
    )
    assert.deepEqual(readdirSync(dir), [])
  })

  it('disk full: DISK_FULL, no partial file left', async (t) => {
    const dir = path.join(folder.dir, 'small-disk')
    mkdirSync(dir)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', dir], { stdio: 'ignore' })
    } catch {
      t.skip('cannot mount a small tmpfs here (needs root)')
      return
    }
    try {
      await assert.rejects(createBackup({ url: db.url, dir, compression: 'gzip' }), isReason('DISK_FULL'))
      assert.deepEqual(readdirSync(dir), [])
      assert.deepEqual(await listBackups(dir), [])
    } finally {
      execFileSync('umount', [dir])
    }
  })
})

describe('the server killed in the middle of a dump', () => {
  const state = tempDir('rollout-kill-')
  let server: MysqlServer
  before(async () => {
    server = await ensureMysqlServer({ stateDir: state.dir, env: {}, tryDefaultPort: false })
    const conn = await connect(server.url)
    await conn.query(`CREATE DATABASE victim; CREATE TABLE victim.rows_ (id INT PRIMARY KEY, pad CHAR(200)) ENGINE=InnoDB;
      INSERT INTO victim.rows_ SELECT seq, REPEAT(CHAR(65 + seq % 26), 200) FROM victim.seq_1_to_200000`)
    await conn.end()
  })
  after(async () => {
    await server.stop()
    state.cleanup()
  })

  it('fails the backup and keeps no file', async () => {
    const dir = path.join(state.dir, 'backups')
    let killed = false
    await assert.rejects(
      createBackup({
        url: `${server.url}/victim`,
        dir,
        onProgress: (p) => {
          if (!killed && p.stage === 'dump' && p.bytesDone > 2_000_000) {
            killed = true
            process.kill(server.pid!, 'SIGKILL')
          }
        },
      }),
      (e: unknown) => isReason('DUMP_FAILED')(e) && /Lost connection|exited with code/.test((e as Error).message),
    )
    assert.equal(killed, true)
    assert.deepEqual(readdirSync(dir), [])
  })
})
