import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTestDatabase } from '../../support/mysql.js'
import { readSchemaFingerprint, diffFingerprints } from '../../../src/adapters/database/fingerprint.js'

const SCHEMA = [
  `CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, UNIQUE KEY uq_email (email))`,
  `CREATE TABLE orders (
     id INT AUTO_INCREMENT PRIMARY KEY,
     customer_id INT NOT NULL,
     status VARCHAR(20) NOT NULL DEFAULT 'new',
     total DECIMAL(10,2) NOT NULL DEFAULT 0,
     KEY idx_status (status),
     CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
     CONSTRAINT chk_total CHECK (total >= 0))`,
  `CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status = 'new'`,
  `CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.status = LOWER(NEW.status)`,
  `CREATE PROCEDURE close_order(IN p_id INT) UPDATE orders SET status = 'closed' WHERE id = p_id`,
  `CREATE FUNCTION order_count(p_customer INT) RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM orders WHERE customer_id = p_customer)`,
  `CREATE EVENT purge_closed ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM orders WHERE status = 'purged'`,
]

async function withDatabase(fn: (conn: import('mysql2/promise').Connection, db: { name: string; url: string }) => Promise<void>, prefix = 'fp') {
  const mysql = await import('mysql2/promise')
  const db = await createTestDatabase(prefix)
  const conn = await mysql.createConnection(db.url)
  try {
    await fn(conn, db)
  } finally {
    await conn.end()
    await db.drop()
  }
}

test('reads tables, columns, indexes, foreign keys, checks, views, triggers, routines and events', async () => {
  await withDatabase(async (conn, db) => {
    for (const sql of SCHEMA) await conn.query(sql)
    const fp = await readSchemaFingerprint(conn, db.name)
    assert.deepEqual(Object.keys(fp.tables).sort(), ['customers', 'orders'])
    const orders = fp.tables.orders!
    assert.deepEqual(orders.columns.map((c) => c.name), ['id', 'customer_id', 'status', 'total'])
    const status = orders.columns.find((c) => c.name === 'status')!
    assert.equal(status.nullable, false)
    assert.equal(status.default, "'new'")
    assert.deepEqual(orders.indexes.idx_status, { unique: false, type: 'BTREE', columns: ['status'] })
    assert.equal(fp.tables.customers!.indexes.uq_email!.unique, true)
    assert.deepEqual(orders.foreignKeys.fk_orders_customer, {
      columns: ['customer_id'], references: 'customers', referencedColumns: ['id'], onUpdate: 'RESTRICT', onDelete: 'CASCADE',
    })
    assert.match(orders.checks.chk_total ?? '', /total/)
    assert.ok(fp.views.open_orders)
    assert.ok(!fp.views.open_orders.definition.includes(db.name), 'view body is stored without the schema name')
    assert.equal(fp.triggers.orders_bi?.table, 'orders')
    assert.deepEqual(fp.routines['PROCEDURE close_order']?.parameters, ['IN p_id int(11)'])
    assert.equal(fp.routines['FUNCTION order_count']?.returns, 'int(11)')
    assert.equal(fp.events.purge_closed?.interval, '1 DAY')
    assert.match(fp.hash, /^[0-9a-f]{64}$/)

    // The same shape read twice hashes the same; the diff is empty.
    const again = await readSchemaFingerprint(conn, db.name)
    assert.equal(again.hash, fp.hash)
    assert.deepEqual(diffFingerprints(fp, again), [])
  })
})

test('the same schema under another database name has the same hash', async () => {
  await withDatabase(async (connA, a) => {
    await withDatabase(async (connB, b) => {
      for (const sql of SCHEMA) await connA.query(sql)
      for (const sql of SCHEMA) await connB.query(sql)
      const fa = await readSchemaFingerprint(connA, a.name)
      const fb = await readSchemaFingerprint(connB, b.name)
      assert.notEqual(fa.database, fb.database)
      assert.equal(fa.hash, fb.hash)
    }, 'fpb')
  })
})

test('the diff names each change in readable form', async () => {
  await withDatabase(async (conn, db) => {
    for (const sql of SCHEMA) await conn.query(sql)
    const before = await readSchemaFingerprint(conn, db.name)
    await conn.query(`ALTER TABLE orders ADD COLUMN priority INT NULL, DROP INDEX idx_status, ADD INDEX idx_customer_status (customer_id, status), MODIFY status VARCHAR(40) NOT NULL DEFAULT 'new'`)
    await conn.query(`CREATE TABLE order_notes (id INT PRIMARY KEY, body TEXT)`)
    await conn.query(`DROP VIEW open_orders`)
    await conn.query(`DROP TRIGGER orders_bi`)
    await conn.query(`DROP PROCEDURE close_order`)
    await conn.query(`CREATE PROCEDURE close_order(IN p_id INT, IN p_reason VARCHAR(20)) UPDATE orders SET status = p_reason WHERE id = p_id`)
    const after = await readSchemaFingerprint(conn, db.name)
    assert.notEqual(after.hash, before.hash)
    assert.deepEqual(diffFingerprints(before, after), [
      'added table order_notes (2 columns)',
      'orders: added column priority INT(11) NULL',
      "orders: changed column status from VARCHAR(20) NOT NULL DEFAULT 'new' to VARCHAR(40) NOT NULL DEFAULT 'new'",
      'orders: added index idx_customer_status (customer_id, status)',
      // InnoDB drops the foreign key's implicit index once another index covers its column.
      'orders: dropped index fk_orders_customer',
      'orders: dropped index idx_status',
      'dropped view open_orders',
      'dropped trigger orders_bi',
      'changed procedure close_order',
    ])
    // Read backwards, the diff is the undo.
    assert.ok(diffFingerprints(after, before).includes('orders: dropped column priority'))
  })
})

test('an empty database has a fingerprint too, and adding a table shows', async () => {
  await withDatabase(async (conn, db) => {
    const empty = await readSchemaFingerprint(conn, db.name)
    assert.deepEqual(empty.tables, {})
    await conn.query('CREATE TABLE t (a INT)')
    const after = await readSchemaFingerprint(conn, db.name)
    assert.deepEqual(diffFingerprints(empty, after), ['added table t (1 columns)'])
  })
})
