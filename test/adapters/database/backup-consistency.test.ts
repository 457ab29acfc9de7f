import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { connect, createTestDatabase, tempDir } from './support.js'

const ACCOUNTS = 50_000
const OPENING = 1000

/**
 * Money moves between two tables while the backup runs: each transfer takes 1 from a row of
 * `savings` and adds it to the same row of `checking`, in one transaction. A backup of one
 * snapshot sees every transfer on both sides or on neither, so each row's two balances still add
 * up to the opening amount; dumps taken table by table at different moments would not.
 */
describe('a backup taken while rows are written', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let copy: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>

  before(async () => {
    db = await createTestDatabase('cons')
    copy = await createTestDatabase('cons_copy')
    folder = tempDir()
    const conn = await connect(db.url)
    // checking comes first in the dump, savings last: the dump reads them at different moments.
    await conn.query(`
      CREATE TABLE checking (id INT PRIMARY KEY, balance INT NOT NULL, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB;
      CREATE TABLE middle (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB;
      CREATE TABLE savings (id INT PRIMARY KEY, balance INT NOT NULL, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB;
      INSERT INTO checking WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 250) SELECT (a.n - 1) * 250 + b.n, 0, REPEAT('c', 150) FROM s a, s b WHERE (a.n - 1) * 250 + b.n <= ${ACCOUNTS};
      INSERT INTO middle SELECT id, REPEAT('m', 200) FROM checking;
      INSERT INTO middle SELECT id + ${ACCOUNTS}, pad FROM middle;
      INSERT INTO savings SELECT id, ${OPENING}, REPEAT('s', 150) FROM checking;
    `)
    await conn.end()
  })
  after(async () => {
    await db.drop()
    await copy.drop()
    folder.cleanup()
  })

  it('sees each transfer on both sides or neither', async () => {
    const writer = await connect(db.url)
    let writing = true
    let transfers = 0
    let during = 0
    let backingUp = false
    const transferring = (async () => {
      while (writing) {
        const id = 1 + (transfers % ACCOUNTS)
        await writer.query('START TRANSACTION')
        await writer.query('UPDATE savings SET balance = balance - 1 WHERE id = ?', [id])
        await writer.query('UPDATE checking SET balance = balance + 1 WHERE id = ?', [id])
        await writer.query('COMMIT')
        transfers++
        if (backingUp) during++
      }
    })()
    try {
      // Transfers are already flowing when the backup starts, and go on until it has finished.
      while (transfers < 20) await new Promise((resolve) => setTimeout(resolve, 5))
      backingUp = true
      const backup = await createBackup({ url: db.url, dir: folder.dir })
      backingUp = false
      assert.ok(during > 0, 'transfers were committed while the backup ran')
      assert.equal(backup.manifest.consistency.checksums, 'synchronised')

      // The copy is proven equal to the manifest (checksums taken in the dump's snapshot) …
      const report = await restoreBackup({ url: copy.url, backup: backup.manifestPath, mode: 'full', force: true })
      assert.equal(report.proof.ok, true)
    } finally {
      writing = false
      await transferring
      await writer.end()
    }
    // … and in it every transfer is whole.
    const conn = await connect(copy.url)
    const [rows] = await conn.query('SELECT COUNT(*) AS broken, SUM(c.balance) AS moved FROM checking c JOIN savings s USING (id) WHERE c.balance + s.balance <> ?', [OPENING])
    const [[sum]] = (await conn.query('SELECT SUM(balance) AS moved FROM checking')) as unknown as [[{ moved: string }]]
    await conn.end()
    assert.equal(Number((rows as { broken: number }[])[0]!.broken), 0, 'no row has a transfer on one side only')
    assert.ok(Number(sum.moved) >= 20, `the backup holds the transfers made before it (${sum.moved})`)
    assert.ok(Number(sum.moved) < transfers, 'and not those made after it')
  })
})
