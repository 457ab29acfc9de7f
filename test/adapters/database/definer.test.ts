import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { checksums, connect, createFixture, createTestDatabase, tempDir, testServerUrl } from './support.js'

/**
 * Views, triggers and routines made by an administrator for another definer, restored by the
 * application's own account, which has every privilege on its database but not SUPER / SET USER.
 */
describe('DEFINER clauses and a restore without SUPER', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  const user = `rl_${randomBytes(3).toString('hex')}`
  const password = `pw-${randomBytes(6).toString('hex')}`
  let appUrl: string

  before(async () => {
    db = await createTestDatabase('df')
    folder = tempDir()
    const admin = await connect(testServerUrl())
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'`)
    await admin.end()
    const conn = await connect(db.url)
    await createFixture(conn, { rows: 50, definer: '`someone_else`@`%`' })
    await conn.end()
    const server = new URL(testServerUrl())
    appUrl = `mysql://${user}:${encodeURIComponent(password)}@${server.hostname}:${server.port || 3306}/${db.name}`
  })
  after(async () => {
    const admin = await connect(testServerUrl())
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`)
    await admin.end()
    await db.drop()
    folder.cleanup()
  })

  it('restores views, triggers and routines with a foreign definer as that account', async () => {
    const backup = await createBackup({ url: db.url, dir: folder.dir })
    assert.match(JSON.stringify(backup.manifest.tables), /orders/)
    const conn = await connect(db.url)
    const before = await checksums(conn, db.name)
    await conn.query('DROP VIEW open_orders; DROP TRIGGER orders_audit; DROP PROCEDURE close_order; UPDATE orders SET total = 0')
    await conn.end()

    const report = await restoreBackup({ url: appUrl, backup: backup.manifestPath })
    assert.equal(report.definersStripped, true)
    assert.equal(report.proof.ok, true)
    assert.deepEqual(report.tables.replayed, ['orders'])

    const check = await connect(db.url)
    const [views] = await check.query('SELECT DEFINER AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [db.name])
    const [triggers] = await check.query('SELECT DEFINER AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name])
    const [routines] = await check.query('SELECT DEFINER AS d FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?', [db.name])
    const after = await checksums(check, db.name)
    await check.end()
    for (const row of [...(views as { d: string }[]), ...(triggers as { d: string }[]), ...(routines as { d: string }[])]) {
      assert.equal(row.d, `${user}@%`)
    }
    assert.equal((views as unknown[]).length, 1)
    assert.equal((routines as unknown[]).length, 2)
    assert.deepEqual(after, before)
  })

  it('keeps the definers when the restoring account may set them', async () => {
    const setup = await connect(db.url)
    await setup.query("DROP VIEW open_orders; CREATE DEFINER=`someone_else`@`%` VIEW open_orders AS SELECT id FROM orders WHERE status = 'open'")
    await setup.end()
    const backup = await createBackup({ url: db.url, dir: folder.dir, suffix: 'admin' })
    const full = await verifyBackup({ backup: backup.manifestPath, level: 'full', url: db.url })
    assert.equal(full.ok, true, full.problems.join('; '))
    const conn = await connect(db.url)
    await conn.query('DROP VIEW open_orders')
    await conn.end()
    const report = await restoreBackup({ url: db.url, backup: backup.manifestPath })
    assert.equal(report.definersStripped, false)
    const check = await connect(db.url)
    const [views] = await check.query('SELECT DEFINER AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [db.name])
    await check.end()
    assert.equal((views as { d: string }[])[0]!.d, 'someone_else@%')
  })
})
