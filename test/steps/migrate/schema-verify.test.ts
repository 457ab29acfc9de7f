import { test } from 'node:test'
import assert from 'node:assert/strict'
import schemaVerify from '../../../src/steps/migrate/schema-verify.js'
import { readFingerprintAt } from '../../../src/steps/migrate/database.js'
import { createTestDatabase } from '../../support/mysql.js'
import { harness } from './harness.js'

async function withDatabase(fn: (db: { name: string; url: string }, exec: (sql: string) => Promise<void>) => Promise<void>) {
  const db = await createTestDatabase('sv')
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(db.url)
  try {
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY, priority INT NULL, KEY idx_priority (priority))')
    await fn(db, async (sql) => void (await conn.query(sql)))
  } finally {
    await conn.end()
    await db.drop()
  }
}

test('passes when the validation command passes and the schema meets its expectations', async () => {
  await withDatabase(async (db) => {
    const fp = await readFingerprintAt(db.url)
    const h = harness(schemaVerify, {
      environment: { database: { url: db.url }, migrate: { validate: 'test -n "$DATABASE_URL" && echo schema ok' } },
      options: { expect: { tables: ['orders'], absentTables: ['legacy'], columns: { orders: ['priority'] }, indexes: { orders: ['idx_priority'] }, changed: true } },
      outputs: { migrate: { before: { hash: 'f'.repeat(64) }, after: { hash: fp.hash } } },
    })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'passed', outcome.summary)
      assert.equal(outcome.summary, 'validation passed; schema meets its expectations')
      assert.match(h.readEvidence('output.log'), /schema ok/)
      assert.equal(JSON.parse(h.readEvidence('schema.json')).hash, fp.hash)
    } finally {
      h.cleanup()
    }
  })
})

test('names each unmet expectation, and drift since the migration', async () => {
  await withDatabase(async (db, exec) => {
    const fp = await readFingerprintAt(db.url)
    await exec('ALTER TABLE orders DROP INDEX idx_priority')
    const h = harness(schemaVerify, {
      environment: { database: { url: db.url } },
      options: { command: false, expect: { tables: ['order_notes'], columns: { orders: ['priority', 'note'] }, indexes: { orders: ['idx_priority'] } } },
      outputs: { migrate: { before: { hash: 'f'.repeat(64) }, after: { hash: fp.hash } } },
    })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'failed')
      assert.deepEqual((outcome.data as any).problems, [
        'table order_notes is missing',
        'orders: column note is missing',
        'orders: index idx_priority is missing',
        `the schema changed after the migration (fingerprint ${(await readFingerprintAt(db.url)).hash.slice(0, 12)}, the migration left ${fp.hash.slice(0, 12)})`,
      ])
      assert.match(outcome.summary, /^schema: table order_notes is missing; orders: column note is missing; orders: index idx_priority is missing \(\+1 more\)$/)
    } finally {
      h.cleanup()
    }
  })
})

test('a failing validation command fails the step with its output', async () => {
  await withDatabase(async (db) => {
    const h = harness(schemaVerify, { environment: { database: { url: db.url }, migrate: { validate: 'echo "orders.priority: expected int, found varchar" >&2; exit 1' } } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'failed')
      assert.equal(outcome.summary, 'validation: exit code 1: orders.priority: expected int, found varchar')
    } finally {
      h.cleanup()
    }
  })
})

test('expectations are checked at the config boundary', () => {
  assert.throws(() => schemaVerify.options!.parse({ expect: { hash: 'abc' } }), /expected a sha256 hex digest/)
  assert.throws(() => schemaVerify.options!.parse({ expect: { tabels: ['x'] } }), /tabels/)
})

test('with nothing to compare (no validation, no expectations, no migration) it is a warning, not a pass', async () => {
  await withDatabase(async (db) => {
    const h = harness(schemaVerify, { environment: { database: { url: db.url }, migrate: {} }, options: { command: false } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'warning')
      assert.match(outcome.summary, /^nothing to compare: no validation command, no schema expectations and no migration's schema to compare with/)
    } finally {
      h.cleanup()
    }
    const fp = await readFingerprintAt(db.url)
    const compared = harness(schemaVerify, { environment: { database: { url: db.url }, migrate: {} }, options: { command: false }, outputs: { migrate: { before: { hash: 'f'.repeat(64) }, after: { hash: fp.hash } } } })
    try {
      const outcome = await compared.run()
      assert.equal(outcome.status, 'passed', outcome.summary)
      assert.equal(outcome.summary, `schema fingerprint ${fp.hash.slice(0, 12)}, as the migration left it`)
    } finally {
      compared.cleanup()
    }
  })
  const none = harness(schemaVerify, { environment: { migrate: {} }, options: { command: false } })
  try {
    const outcome = await none.run()
    assert.equal(outcome.status, 'warning')
    assert.match(outcome.summary, /^nothing to check/)
  } finally {
    none.cleanup()
  }
})
