import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import migrate from '../../../src/steps/migrate/migrate.js'
import { readFingerprintAt } from '../../../src/steps/migrate/database.js'
import { createTestDatabase } from '../../support/mysql.js'
import { harness } from './harness.js'

const APPLY = fileURLToPath(new URL('./fixtures/apply-sql.mjs', import.meta.url))

const BASE_SCHEMA = `
CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL);
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20) NOT NULL DEFAULT 'new',
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
INSERT INTO customers (email) VALUES ('a@example.com');
INSERT INTO orders (customer_id) VALUES (1);
`

async function withDatabase(fn: (db: { name: string; url: string }, sql: (name: string, text: string) => string) => Promise<void>) {
  const db = await createTestDatabase('mig')
  const h = { dir: '' }
  const { mkdtempSync, rmSync } = await import('node:fs')
  const os = await import('node:os')
  h.dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-sql-'))
  const sql = (name: string, text: string) => {
    const file = path.join(h.dir, name)
    writeFileSync(file, text)
    return `node ${APPLY} ${file}`
  }
  try {
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
    await conn.query(BASE_SCHEMA)
    await conn.end()
    await fn(db, sql)
  } finally {
    rmSync(h.dir, { recursive: true, force: true })
    await db.drop()
  }
}

test('a migration that changes the schema: fingerprint before (checkpointed first), after, and the exact diff', async () => {
  await withDatabase(async (db, sql) => {
    const command = sql('0002.sql', 'ALTER TABLE orders ADD COLUMN priority INT NULL;\nCREATE TABLE order_notes (id INT PRIMARY KEY, body TEXT);\n')
    const h = harness(migrate, {
      environment: { database: { url: db.url }, migrate: { command } },
      // At the moment of the checkpoint the migration must not have run yet.
      onCheckpoint: async () => (await readFingerprintAt(db.url)).tables.orders!.columns.map((c) => c.name),
    })
    try {
      const before = await readFingerprintAt(db.url)
      const outcome = await h.run()
      assert.equal(outcome.status, 'passed', outcome.summary)
      assert.match(outcome.summary, /^schema changed \(2 changes: added table order_notes/)

      assert.equal(h.checkpoints.length, 1)
      assert.equal(h.checkpoints[0]!.data.stage, 'migrating')
      assert.equal((h.checkpoints[0]!.data.before as { hash: string }).hash, before.hash)
      assert.deepEqual(h.checkpoints[0]!.seen, ['id', 'customer_id', 'status'])

      const data = outcome.data as any
      assert.equal(data.changed, true)
      assert.deepEqual(data.diff, ['added table order_notes (2 columns)', 'orders: added column priority INT(11) NULL'])
      assert.equal(data.before.hash, before.hash)
      assert.equal(data.after.hash, (await readFingerprintAt(db.url)).hash)
      assert.equal(data.after.tables, 3)
      assert.equal(data.stage, 'done')
      assert.equal(data.database, db.name)

      // The command got DATABASE_URL from its environment; its output and the diff are evidence.
      assert.match(h.readEvidence('output.log'), new RegExp(`2 statements applied to ${db.name}`))
      assert.equal(h.readEvidence('schema-diff.txt'), 'added table order_notes (2 columns)\norders: added column priority INT(11) NULL\n')
      assert.ok(JSON.parse(h.readEvidence('schema-before.json')).tables.orders)
      assert.ok(h.logs.includes('schema: orders: added column priority INT(11) NULL'))
    } finally {
      h.cleanup()
    }
  })
})

test('a migration with nothing to do records no change', async () => {
  await withDatabase(async (db, sql) => {
    const h = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: sql('noop.sql', "UPDATE orders SET status = 'new' WHERE id = 0;\n") } } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'passed')
      assert.equal(outcome.summary, 'no schema change')
      assert.equal((outcome.data as any).changed, false)
      assert.deepEqual((outcome.data as any).diff, [])
      assert.equal(h.readEvidence('schema-diff.txt'), 'no schema change\n')
    } finally {
      h.cleanup()
    }
  })
})

test('a migration that fails part-way fails, and its record shows what it did change', async () => {
  await withDatabase(async (db, sql) => {
    const command = sql('bad.sql', 'ALTER TABLE orders ADD INDEX idx_status (status);\nALTER TABLE orders ADD COLUMN customer_id INT;\n')
    const h = harness(migrate, { environment: { database: { url: db.url }, migrate: { command } } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'failed')
      assert.match(outcome.summary, /^exit code 1: .*statement 2 failed: Duplicate column name 'customer_id'.*; schema changed \(1 change: orders: added index idx_status \(status\)\)$/)
      assert.equal((outcome.data as any).changed, true)
      assert.deepEqual((outcome.data as any).diff, ['orders: added index idx_status (status)'])
    } finally {
      h.cleanup()
    }
  })
})

test('the password in DATABASE_URL stays out of the log and the evidence', async () => {
  const db = await createTestDatabase('mig')
  const mysql = await import('mysql2/promise')
  const admin = await mysql.createConnection(db.url)
  const user = `u_${db.name.slice(-8)}`
  const password = 'Pw-9d8c7b6a5f4e'
  try {
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`)
    await admin.query(`GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'`)
    const server = new URL(db.url)
    const url = `mysql://${user}:${password}@${server.host}/${db.name}`
    // A command that prints its environment's URL, as a careless script might.
    const h = harness(migrate, { environment: { database: { url }, migrate: { command: 'echo "connecting to $DATABASE_URL"; echo "argv: $0 $*"' } } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'passed', outcome.summary)
      const everything = [h.readEvidence('output.log'), h.logs.join('\n'), JSON.stringify(outcome), JSON.stringify(h.checkpoints)].join('\n')
      assert.ok(!everything.includes(password), 'password leaked')
      assert.match(h.readEvidence('output.log'), /connecting to \[redacted\]/)
    } finally {
      h.cleanup()
    }
  } finally {
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`)
    await admin.end()
    await db.drop()
  }
})

test('without database.url the step says what is missing', async () => {
  const h = harness(migrate, { environment: { migrate: { command: 'true' } } })
  try {
    await assert.rejects(h.run(), /the environment has no database\.url/)
  } finally {
    h.cleanup()
  }
})

test('undo: a migration that changed no schema, with the schema still as before, needs no restore', async () => {
  await withDatabase(async (db, sql) => {
    const h = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: sql('noop.sql', 'SELECT 1;\n') } } })
    try {
      const outcome = await h.run()
      const undo = await h.undo(outcome.data!, 'passed')
      assert.equal(undo.status, 'skipped')
      assert.equal(undo.summary, 'no restore: the migration changed no schema and the schema is as it was before it')
    } finally {
      h.cleanup()
    }
  })
})

test('undo: a schema change needs a restore, and says so when the run took no backup', async () => {
  await withDatabase(async (db, sql) => {
    const h = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: sql('0003.sql', 'ALTER TABLE orders ADD COLUMN priority INT NULL;\n') } } })
    try {
      const outcome = await h.run()
      await assert.rejects(h.undo(outcome.data!, 'passed'), /no backup was taken in this run \(step "backup"\)/)
      assert.ok(h.logs.includes('restore needed: the migration changed the schema (1 change)'))
      // The same from the checkpoint alone, as after a crash mid-migration.
      await assert.rejects(h.undo(h.checkpoints[0]!.data, 'interrupted'), /no backup was taken/)
      assert.ok(h.logs.includes('restore needed: the migration was interrupted while it ran: what it changed is unknown'))
    } finally {
      h.cleanup()
    }
  })
})

const CRASH_EXIT_0 = `node -e "console.log('Reading config file drizzle.config.ts'); try { undefined.checkConstraint } catch (e) { console.error(e.stack) }; process.exit(0)"`

test('a migration that prints a stack trace fails even with exit code 0; the output is the evidence; failOn [] turns it off; a bad pattern is a config error', async () => {
  await withDatabase(async (db) => {
    const h = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: CRASH_EXIT_0 } } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'failed', outcome.summary)
      assert.match(outcome.summary, /^exit code 0 but the output shows an error \(TypeError: Cannot read properties of undefined \(reading 'checkConstraint'\); failOn .*\); no schema change$/)
      assert.match(h.readEvidence('output.log'), /Cannot read properties of undefined[\s\S]*\n\s+at /)
      assert.match(h.readEvidence('output.log'), /--- exit 0 after/)
    } finally {
      h.cleanup()
    }
    const off = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: CRASH_EXIT_0, failOn: [] } } })
    try {
      assert.equal((await off.run()).status, 'passed')
    } finally {
      off.cleanup()
    }
    const own = harness(migrate, { environment: { database: { url: db.url }, migrate: { command: 'echo "warning: 1 column dropped"' } }, options: { failOn: ['^warning:'] } })
    try {
      const outcome = await own.run()
      assert.equal(outcome.status, 'failed')
      assert.match(outcome.summary, /warning: 1 column dropped; failOn \/\^warning:\//)
    } finally {
      own.cleanup()
    }
  })
  const { makeProject, runCli } = await import('../../support/cli.js')
  const dir = makeProject({ environments: { staging: { url: 'http://127.0.0.1:9', migrate: { failOn: ['(unclosed'] } } } })
  const planned = await runCli(['plan', 'staging'], { cwd: dir })
  assert.equal(planned.code, 2, planned.stdout + planned.stderr)
  assert.match(planned.stderr, /environments\.staging\.migrate\.failOn\[0\]: expected a valid regular expression/)
})
