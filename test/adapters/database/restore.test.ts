import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import type { DatabaseProgress } from '../../../src/adapters/database/progress.js'
import { readFingerprintHash } from '../../../src/adapters/database/schema-hash.js'
import { parseMysqlUrl } from '../../../src/adapters/database/url.js'
import { checksums, connect, databaseState, createFixture, createTestDatabase, definitions, renamed, tempDir } from './support.js'

/** The kind of migration a rollback undoes: one table altered, one added, data changed in another. */
async function migrate(url: string): Promise<void> {
  const conn = await connect(url)
  await conn.query(`
    ALTER TABLE clients ADD COLUMN vip TINYINT NOT NULL DEFAULT 0;
    CREATE TABLE feature_flags (id INT PRIMARY KEY, name VARCHAR(40));
    INSERT INTO feature_flags VALUES (1, 'new-checkout');
    UPDATE orders SET total = total + 1 WHERE id <= 10;
    CREATE PROCEDURE added_by_migration() SELECT 1;
    DROP VIEW open_orders;
  `)
  await conn.end()
}

describe('restores against a real server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  let backup: Awaited<ReturnType<typeof createBackup>>
  let original: { sums: Record<string, number | null>; defs: Record<string, string> }

  before(async () => {
    db = await createTestDatabase('rs')
    folder = tempDir()
    const conn = await connect(db.url)
    await conn.query(`ALTER DATABASE \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
    await createFixture(conn)
    original = { sums: await checksums(conn, db.name), defs: await definitions(conn, db.name) }
    await conn.end()
    backup = await createBackup({ url: db.url, dir: folder.dir })
    const verified = await verifyBackup({ backup: backup.manifestPath, level: 'quick' })
    assert.equal(verified.ok, true)
  })
  after(async () => {
    await db.drop()
    folder.cleanup()
  })

  const state = () => databaseState(db.url, db.name)

  it('differential: reverts the added column, replays only the changed table, drops the added one, and proves it', async () => {
    await migrate(db.url)
    const progress: DatabaseProgress[] = []
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir, onProgress: (p) => progress.push(p) })
    assert.equal(report.performed, 'differential')
    assert.deepEqual(report.tables.replayed, ['orders'])
    assert.deepEqual(report.reasons, { orders: 'checksum' })
    assert.deepEqual(report.tables.reverted, ['clients'])
    assert.deepEqual(report.tables.dropped, ['feature_flags'])
    assert.deepEqual(report.tables.unchanged.sort(), ['audit_log', 'blobs', 'empty_table', 'order_items', 'weird name-with`tick'])
    assert.equal(report.proof.ok, true)
    assert.ok(report.bytesReplayed < report.dumpBytes)
    assert.deepEqual(await state(), original)
    // The schema fingerprint the migrate phase compares is back to the backup's.
    assert.equal(await readFingerprintHash(parseMysqlUrl(db.url), db.name), backup.manifest.schemaFingerprint)
    const last = progress.filter((p) => p.stage === 'restore').pop()!
    assert.equal(last.bytesDone, last.bytesTotal)
    assert.equal(last.tablesDone, 1)
  })

  it('differential: replays a table whose change cannot be reverted, and one whose revert does not prove equal', async () => {
    const conn = await connect(db.url)
    // A changed column type is not additive; an added column plus changed rows reverts, then fails its checksum.
    await conn.query("ALTER TABLE order_items MODIFY sku VARCHAR(40); ALTER TABLE clients ADD COLUMN vip TINYINT; UPDATE clients SET balance = 0 WHERE id = 7")
    await conn.end()
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir })
    assert.deepEqual(report.reasons, { clients: 'definition', order_items: 'definition' })
    assert.deepEqual(report.tables.reverted, [])
    assert.equal(report.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it('differential without reverting replays an altered table', async () => {
    const conn = await connect(db.url)
    await conn.query('ALTER TABLE blobs ADD INDEX by_data (data(10))')
    await conn.end()
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir, reverseAdditions: false })
    assert.deepEqual(report.tables.replayed, ['blobs'])
    assert.deepEqual(await state(), original)
  })

  it('differential with nothing changed replays no table', async () => {
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir })
    assert.deepEqual(report.tables.replayed, [])
    assert.deepEqual(report.tables.dropped, [])
    assert.equal(report.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it('full: replays every table and ends in the same state', async () => {
    await migrate(db.url)
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir, mode: 'full' })
    assert.equal(report.performed, 'full')
    assert.equal(report.tables.replayed.length, 7)
    assert.deepEqual(report.tables.dropped, ['feature_flags'])
    assert.equal(report.proof.ok, true)
    assert.deepEqual(await state(), original)
  })

  it('brings a dropped database back with every table, view, trigger, routine and event as it was', async () => {
    const conn = await connect(db.url)
    await conn.query(`DROP DATABASE \`${db.name}\``)
    await conn.end()
    const report = await restoreBackup({ url: db.url, backup: backup.id, dir: folder.dir })
    assert.equal(report.proof.ok, true)
    assert.equal(report.tables.replayed.length, 7)
    assert.deepEqual(await state(), original)
    const check = await connect(db.url)
    const [rows] = await check.query('SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db.name])
    await check.end()
    assert.equal((rows as { c: string }[])[0]!.c, 'utf8mb4_unicode_ci', 'created again with its own default collation')
  })

  it('refuses a backup of another database unless forced, and then points views at the new name', async () => {
    const other = await createTestDatabase('rs_other')
    try {
      await assert.rejects(
        restoreBackup({ url: other.url, backup: backup.id, dir: folder.dir }),
        (e: unknown) => e instanceof DatabaseError && e.reason === 'WRONG_DATABASE' && e.message.includes(db.name),
      )
      const report = await restoreBackup({ url: other.url, backup: backup.id, dir: folder.dir, force: true })
      assert.equal(report.proof.ok, true)
      const conn = await connect(other.url)
      const copy = { sums: await checksums(conn, other.name), defs: await definitions(conn, other.name) }
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM open_orders')
      await conn.end()
      assert.deepEqual(copy.sums, original.sums)
      assert.deepEqual(copy.defs, renamed(original.defs, db.name, other.name))
      assert.ok(Number((rows as { n: number }[])[0]!.n) > 0)
    } finally {
      await other.drop()
    }
  })
})
