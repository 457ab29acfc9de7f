import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import migrate from '../../../src/steps/migrate/migrate.js'
import { readFingerprintAt } from '../../../src/steps/migrate/database.js'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { createTestDatabase } from '../../support/mysql.js'
import { harness } from './harness.js'

const APPLY = fileURLToPath(new URL('./fixtures/apply-sql.mjs', import.meta.url))

/** A database with two tables and a row, and a folder for the migration's SQL and the backup. */
async function withDatabase(fn: (db: { name: string; url: string }, dir: string, sql: (name: string, text: string) => string) => Promise<void>) {
  const db = await createTestDatabase('mig')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-mig-restore-'))
  try {
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
    await conn.query(`
      CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL);
      CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20) NOT NULL DEFAULT 'new',
        CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
      INSERT INTO customers (email) VALUES ('a@example.com');
      INSERT INTO orders (customer_id) VALUES (1);`)
    await conn.end()
    await fn(db, dir, (name, text) => {
      writeFileSync(path.join(dir, name), text)
      return `node ${APPLY} ${path.join(dir, name)}`
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await db.drop()
  }
}

test("undo after a schema change restores the run's backup and proves the schema is back", async () => {
  await withDatabase(async (db, dir, sql) => {
    const backupDir = path.join(dir, 'backups')
    const backup = await createBackup({ url: db.url, dir: backupDir })
    const command = sql('0004.sql', "ALTER TABLE orders ADD COLUMN priority INT NULL;\nUPDATE orders SET status = 'migrated';\nCREATE TABLE order_notes (id INT PRIMARY KEY);\n")
    const h = harness(migrate, {
      environment: { database: { url: db.url }, migrate: { command } },
      // What the backup step records.
      outputs: { backup: { id: backup.id, path: backup.path, manifestPath: backup.manifestPath, dir: backupDir } },
    })
    try {
      const before = await readFingerprintAt(db.url)
      const outcome = await h.run()
      assert.equal((outcome.data as any).changed, true)

      const undo = await h.undo(outcome.data!, 'passed')
      assert.equal(undo.status, 'passed', undo.summary)
      assert.match(undo.summary, /schema is back as before the migration \(the migration changed the schema \(2 changes\)\)$/)
      assert.equal((await readFingerprintAt(db.url)).hash, before.hash)
      assert.equal((undo.data as any).hash, before.hash)
      // The data is back too.
      const mysql = await import('mysql2/promise')
      const conn = await mysql.createConnection(db.url)
      const [rows] = await conn.query('SELECT status FROM orders')
      await conn.end()
      assert.deepEqual(rows, [{ status: 'new' }])
    } finally {
      h.cleanup()
    }
  })
})
