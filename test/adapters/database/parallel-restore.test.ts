import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import type { Connection } from 'mysql2/promise'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import type { DatabaseProgress } from '../../../src/adapters/database/progress.js'
import { summarizeRestore } from '../../../src/adapters/database/restore.js'
import { connect, createFixture, createTestDatabase, databaseState, tempDir } from './support.js'

/** About 24 MB of rows in one table: several 8 MiB chunks, so that sessions share the table. */
async function createBigTable(conn: Connection): Promise<void> {
  // A secondary index and a foreign key: built after the rows when restored on several sessions.
  await conn.query('CREATE TABLE big_lines (id INT PRIMARY KEY, body VARCHAR(200) NOT NULL, n INT NOT NULL, client_id INT NOT NULL, KEY by_n (n), CONSTRAINT big_lines_client FOREIGN KEY (client_id) REFERENCES clients (id)) ENGINE=InnoDB')
  await conn.query(`
    INSERT INTO big_lines
      WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 399)
      SELECT a.n * 400 + b.n, CONCAT('line ', a.n * 400 + b.n, ' ', REPEAT('é', 60), ' it''s ; INSERT ', a.n), b.n, 1 + (a.n * 400 + b.n) % 300 FROM s a, s b`)
}

/**
 * Polls the server's process list while `work` runs: the sessions seen inserting into `table`, and
 * the most at one moment. `onSeen` runs once, on the watcher's connection, when the first is seen.
 */
async function watchInserts<T>(url: string, table: string, work: Promise<T>, onSeen?: (conn: Connection) => Promise<unknown>) {
  const conn = await connect(url)
  const sessions = new Set<number>()
  let mostAtOnce = 0
  let finished = false
  let hook = onSeen
  const settled: Promise<PromiseSettledResult<T>> = work.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  )
  void settled.then(() => (finished = true))
  try {
    while (!finished) {
      const [rows] = await conn.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('INSERT INTO `', ?, '`%')", [table])
      const ids = (rows as { id: number }[]).map((r) => Number(r.id))
      for (const id of ids) sessions.add(id)
      mostAtOnce = Math.max(mostAtOnce, ids.length)
      if (ids.length && hook) {
        const run = hook
        hook = undefined
        await run(conn)
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    await conn.end()
  }
  return { result: await settled, sessions, mostAtOnce }
}

describe('restores that load rows on several sessions at once', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  let backupId: string
  let original: { sums: Record<string, number | null>; defs: Record<string, string> }

  const state = () => databaseState(db.url, db.name)

  before(async () => {
    db = await createTestDatabase('prs')
    folder = tempDir()
    const conn = await connect(db.url)
    await createFixture(conn)
    await createBigTable(conn)
    await conn.end()
    original = await state()
    const backup = await createBackup({ url: db.url, dir: folder.dir })
    assert.equal((await verifyBackup({ backup: backup.manifestPath, level: 'quick' })).ok, true)
    backupId = backup.id
  })
  after(async () => {
    await db.drop()
    folder.cleanup()
  })

  it('full: the fidelity fixture and a large table come back exact, the large table loaded by several sessions at the same moment', async () => {
    const conn = await connect(db.url)
    await conn.query('UPDATE big_lines SET n = n + 1 WHERE id % 1000 = 0; UPDATE clients SET balance = 0 WHERE id > 250; ALTER TABLE orders ADD COLUMN paid_at DATETIME')
    await conn.end()
    const watched = await watchInserts(db.url, 'big_lines', restoreBackup({ url: db.url, backup: backupId, dir: folder.dir, mode: 'full', sessions: 3 }))
    assert.equal(watched.result.status, 'fulfilled', watched.result.status === 'rejected' ? String(watched.result.reason) : '')
    const report = (watched.result as PromiseFulfilledResult<Awaited<ReturnType<typeof restoreBackup>>>).value
    assert.equal(report.sessions, 3)
    assert.equal(report.proof.ok, true)
    assert.match(summarizeRestore(report), /8 tables replayed \(rows loaded on 3 sessions at once, the indexes of big_lines built after the rows\)/)
    assert.deepEqual(report.indexesAfterRows, ['big_lines'])
    assert.ok(watched.sessions.size >= 2, `sessions seen inserting into big_lines: ${watched.sessions.size}`)
    assert.ok(watched.mostAtOnce >= 2, `most sessions inserting into big_lines at once: ${watched.mostAtOnce}`)
    // The trigger on orders did not fire on the restored rows (audit_log equal), the counters and
    // every definition are the backup's.
    assert.deepEqual(await state(), original)
  })

  it('a full verification loads the scratch copy on several sessions while it hashes and scans the whole file', async () => {
    const progress: DatabaseProgress[] = []
    const watched = await watchInserts(db.url, 'big_lines', verifyBackup({ backup: backupId, dir: folder.dir, level: 'full', url: db.url, sessions: 3, onProgress: (p) => progress.push(p) }))
    assert.equal(watched.result.status, 'fulfilled', watched.result.status === 'rejected' ? String(watched.result.reason) : '')
    const outcome = (watched.result as PromiseFulfilledResult<Awaited<ReturnType<typeof verifyBackup>>>).value
    // Passing means the scan saw every section where the manifest puts it, the file's hash was
    // read to its end, and every table of the copy has the manifest's checksum and definition.
    assert.equal(outcome.ok, true, outcome.problems.join('; '))
    assert.ok(watched.mostAtOnce >= 2, `most sessions inserting into big_lines at once: ${watched.mostAtOnce}`)
    assert.ok(progress.some((p) => p.stage === 'verify' && p.table === 'big_lines'))
  })

  it('differential: a changed table under 64 MiB goes through one session unless sessions are asked for', async () => {
    const change = async () => {
      const conn = await connect(db.url)
      await conn.query('UPDATE big_lines SET body = UPPER(body) WHERE id < 5000')
      await conn.end()
    }
    await change()
    const single = await restoreBackup({ url: db.url, backup: backupId, dir: folder.dir })
    assert.deepEqual(single.tables.replayed, ['big_lines'])
    assert.equal(single.sessions, 1)
    assert.doesNotMatch(summarizeRestore(single), /sessions/)
    assert.equal(single.proof.ok, true)
    await change()
    const shared = await restoreBackup({ url: db.url, backup: backupId, dir: folder.dir, sessions: 2 })
    assert.deepEqual(shared.tables.replayed, ['big_lines'])
    assert.equal(shared.sessions, 2)
    assert.equal(shared.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it("a session whose statement fails stops the load with the server's message, and a second restore puts everything back", async () => {
    // The table disappears under the sessions loading it: their next INSERT fails.
    const watched = await watchInserts(db.url, 'big_lines', restoreBackup({ url: db.url, backup: backupId, dir: folder.dir, mode: 'full', sessions: 2 }), (conn) => conn.query(`DROP TABLE \`${db.name}\`.big_lines`))
    assert.equal(watched.result.status, 'rejected', 'the restore failed')
    const error = (watched.result as PromiseRejectedResult).reason as DatabaseError
    assert.ok(error instanceof DatabaseError && error.reason === 'RESTORE_FAILED', String(error))
    assert.match(error.message, /big_lines' doesn't exist/)
    const again = await restoreBackup({ url: db.url, backup: backupId, dir: folder.dir })
    // The tables the stopped load had not finished are replayed, the others proven as they are.
    assert.ok(again.tables.replayed.includes('big_lines'), again.tables.replayed.join(', '))
    assert.equal(again.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it('a load stopped part-way leaves no client process and no session on the server', async () => {
    const stop = new AbortController()
    const watched = await watchInserts(db.url, 'big_lines', restoreBackup({ url: db.url, backup: backupId, dir: folder.dir, mode: 'full', sessions: 3, signal: stop.signal }), async () => stop.abort())
    assert.equal(watched.result.status, 'rejected', 'the restore was stopped')
    const error = (watched.result as PromiseRejectedResult).reason as DatabaseError
    assert.ok(error instanceof DatabaseError && error.reason === 'ABORTED', String(error))
    assert.ok(watched.sessions.size >= 1)
    // Our own children: no client is left running.
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString()
    assert.doesNotMatch(children, /mariadb|mysql/, children)
    // The server's side: every loading session has gone (a killed client's connection closes at once,
    // its statement rolled back; allow the server a moment to notice).
    const conn = await connect(db.url)
    let left: number[] = []
    for (let i = 0; i < 50; i++) {
      const [rows] = await conn.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID IN (?)', [[...watched.sessions]])
      left = (rows as { id: number }[]).map((r) => Number(r.id))
      if (!left.length) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await conn.end()
    assert.deepEqual(left, [], 'loading sessions still on the server')
    const again = await restoreBackup({ url: db.url, backup: backupId, dir: folder.dir })
    assert.equal(again.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it('a differential restore of a small table reads only the frames that hold it', async () => {
    const framed = await createBackup({ url: db.url, dir: folder.dir, frameBytes: 1 << 20, suffix: 'framed' })
    const frames = framed.manifest.layout.frames!
    assert.ok(frames.length >= 10, `${frames.length} frames`)
    const conn = await connect(db.url)
    await conn.query('UPDATE clients SET balance = balance + 1 WHERE id = 7')
    await conn.end()
    const report = await restoreBackup({ url: db.url, backup: framed.manifestPath })
    assert.deepEqual(report.tables.replayed, ['clients'])
    assert.ok(report.fileBytesRead < framed.manifest.sizeBytes / 3, `${report.fileBytesRead} of ${framed.manifest.sizeBytes} bytes read`)
    assert.equal(report.proof.ok, true)
    assert.deepEqual(await state(), original)

    // The same with its rows loaded on two sessions: that read, too, starts at the frames it needs
    // (big_lines, dumped before clients, is most of the file).
    const conn2 = await connect(db.url)
    await conn2.query('UPDATE clients SET balance = balance + 1 WHERE id = 8')
    await conn2.end()
    const parallel = await restoreBackup({ url: db.url, backup: framed.manifestPath, sessions: 2 })
    assert.deepEqual(parallel.tables.replayed, ['clients'])
    assert.equal(parallel.sessions, 2)
    assert.ok(parallel.fileBytesRead < framed.manifest.sizeBytes / 3, `${parallel.fileBytesRead} of ${framed.manifest.sizeBytes} bytes read`)
    assert.equal(parallel.proof.ok, true)
    assert.deepEqual(await state(), original)
  })
})
