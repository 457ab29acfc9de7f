import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureMysqlServer, type MysqlServer } from '../../../src/sandbox/mysql-server.js'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { summarizeRestore } from '../../../src/adapters/database/restore.js'
import { checksums, connect, createTestDatabase } from './support.js'

// A server of its own that writes a binary log (the machine's shared one does not), as MySQL 8 and
// most managed MySQL do by default.
describe('a differential restore on a server with a binary log', () => {
  let server: MysqlServer
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'rollout-binlog-server-'))
  before(async () => {
    server = await ensureMysqlServer({ stateDir, tryDefaultPort: false, serverOptions: ['--log-bin=binlog', '--server-id=11', '--binlog-format=MIXED'] })
  })
  after(async () => {
    await server?.stop()
    rmSync(stateDir, { recursive: true, force: true })
  })

  async function shop(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await createTestDatabase('binlog', server.url)
    t.after(() => db.drop())
    const conn = await connect(db.url)
    t.after(() => conn.end())
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL)')
    await conn.query('CREATE TABLE clients (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)')
    await conn.query('CREATE TABLE ledger (id INT PRIMARY KEY, amount INT NOT NULL)')
    await conn.query("INSERT INTO orders VALUES (1, 'new'), (2, 'paid')")
    await conn.query("INSERT INTO clients VALUES (1, 'ada'), (2, 'bob')")
    await conn.query('INSERT INTO ledger SELECT seq, seq * 7 FROM seq_1_to_5000')
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-binlog-backups-'))
    t.after(async () => rmSync(dir, { recursive: true, force: true }))
    const made = await createBackup({ url: db.url, dir })
    await verifyBackup({ backup: made.manifestPath, level: 'quick' })
    return { db, conn, dir, made, backedUp: await checksums(conn, db.name) }
  }

  it('reads the tables written since the backup from the log: only those are compared and replayed; the untouched one is proven by the log, and the database equals the backup', async (t) => {
    const { db, conn, dir, made, backedUp } = await shop(t)
    assert.ok(made.manifest.binlog, 'the backup records its binary log position')
    // A migration in statement form, then a write in row form (the log holds both kinds).
    await conn.query('ALTER TABLE orders ADD COLUMN priority INT NULL')
    await conn.query("UPDATE orders SET status = 'migrated'")
    await conn.query("SET SESSION binlog_format = 'ROW'")
    await conn.query("UPDATE clients SET name = 'eve' WHERE id = 2")

    const report = await restoreBackup({ url: db.url, backup: 'latest', dir })
    assert.deepEqual(report.changes && report.changes.source, 'binlog')
    assert.deepEqual([...report.tables.replayed, ...report.tables.reverted].sort(), ['clients', 'orders'])
    assert.deepEqual(report.tables.unchanged, ['ledger'])
    assert.deepEqual(report.proof.tables.map((p) => [p.name, p.checked, p.ok]).sort(), [['clients', 'after', true], ['ledger', 'unwritten', true], ['orders', 'after', true]])
    assert.deepEqual(await checksums(conn, db.name), backedUp)
    assert.match(summarizeRestore(report), /the binary log shows no write since the backup to 1 table, and every other table's checksum equals the backup's/)
  })

  it('a statement logged as text whose trigger writes elsewhere makes it compare every table by checksum, and says why', async (t) => {
    const { db, conn, dir, backedUp } = await shop(t)
    await conn.query('CREATE TRIGGER audit AFTER UPDATE ON orders FOR EACH ROW UPDATE ledger SET amount = amount + 1 WHERE id = 1')
    // Logged as the UPDATE of orders alone: the trigger's write to ledger is not in the log's text,
    // and the trigger is gone by the time of the restore.
    await conn.query("SET SESSION binlog_format = 'STATEMENT'")
    await conn.query("UPDATE orders SET status = 'x' WHERE id = 1")
    await conn.query('DROP TRIGGER audit')

    const report = await restoreBackup({ url: db.url, backup: 'latest', dir })
    assert.equal(report.changes?.source, 'checksum')
    assert.match((report.changes as { reason: string }).reason, /writes a table with triggers \(orders\)/)
    assert.deepEqual(report.tables.replayed.sort(), ['ledger', 'orders'], 'the trigger\'s write was found by its checksum and put back')
    assert.deepEqual(await checksums(conn, db.name), backedUp)
  })

  it('a log purged past the backup\'s position is not read: every table is compared by checksum', async (t) => {
    const { db, conn, dir, made, backedUp } = await shop(t)
    await conn.query('UPDATE ledger SET amount = 0 WHERE id = 9')
    await conn.query('FLUSH BINARY LOGS')
    const [[current]] = (await conn.query('SHOW MASTER STATUS')) as unknown as [[{ File: string }]]
    // The server keeps a file until its transactions are checkpointed: purged again until it is gone.
    for (let tries = 0; tries < 50; tries++) {
      await conn.query(`PURGE BINARY LOGS TO '${current.File}'`)
      const [logs] = (await conn.query('SHOW BINARY LOGS')) as unknown as [{ Log_name: string }[]]
      if (!logs.some((l) => l.Log_name === made.manifest.binlog!.file)) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    const report = await restoreBackup({ url: db.url, backup: 'latest', dir })
    assert.equal(report.changes?.source, 'checksum')
    assert.match((report.changes as { reason: string }).reason, /was purged from the binary log/)
    assert.deepEqual(report.tables.replayed, ['ledger'])
    assert.deepEqual(await checksums(conn, db.name), backedUp)
  })
})
