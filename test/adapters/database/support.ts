import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Connection } from 'mysql2/promise'
import { createTestDatabase, testServerUrl } from '../../support/mysql.js'

export { createTestDatabase, testServerUrl }

export async function connect(url: string): Promise<Connection> {
  const mysql = await import('mysql2/promise')
  return mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true, supportBigNumbers: true })
}

export function tempDir(prefix = 'rollout-db-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Every byte value 0–255, as the BLOB fixture holds it. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

export const QUOTED_NAME = 'weird name-with`tick'

/**
 * The fidelity fixture: InnoDB and MyISAM tables, foreign keys, a view, a trigger, a procedure, a
 * function, an event, JSON, a BLOB with every byte value, utf8mb4 text with emoji, DECIMAL,
 * DATETIME(6), a generated column, a table without primary key, an empty table and a name that
 * needs quoting.
 */
export async function createFixture(conn: Connection, opts: { rows?: number; definer?: string } = {}): Promise<void> {
  const n = opts.rows ?? 300
  const definer = opts.definer ? `DEFINER=${opts.definer} ` : ''
  await conn.query(`
    CREATE TABLE clients (
      id INT AUTO_INCREMENT PRIMARY KEY,
      name VARCHAR(100) NOT NULL,
      note TEXT,
      meta JSON,
      created DATETIME(6) NOT NULL,
      balance DECIMAL(12,2) NOT NULL DEFAULT 0,
      name_upper VARCHAR(100) AS (UPPER(name)) VIRTUAL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    CREATE TABLE orders (
      id INT AUTO_INCREMENT PRIMARY KEY,
      client_id INT NOT NULL,
      total DECIMAL(12,2),
      status ENUM('open','paid') NOT NULL DEFAULT 'open',
      FOREIGN KEY (client_id) REFERENCES clients(id)
    ) ENGINE=InnoDB;
    CREATE TABLE order_items (
      order_id INT NOT NULL,
      sku VARCHAR(20),
      qty INT,
      FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE
    ) ENGINE=InnoDB;
    CREATE TABLE blobs (id INT PRIMARY KEY, data BLOB) ENGINE=InnoDB;
    CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(200)) ENGINE=MyISAM;
    CREATE TABLE empty_table (id INT PRIMARY KEY) ENGINE=InnoDB;
    CREATE TABLE \`weird name-with\`\`tick\` (id INT PRIMARY KEY, \`select\` VARCHAR(10)) ENGINE=InnoDB;
  `)
  await conn.query(`
    INSERT INTO clients (name, note, meta, created, balance)
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n})
      SELECT CONCAT('client ', n, ' 🚀'), CONCAT('line one\\nline two\\ttab \\'quote\\' ', REPEAT('ü', n % 7)),
             JSON_OBJECT('n', n, 'tags', JSON_ARRAY('a', 'ß', '😀')), TIMESTAMP('2026-01-01 00:00:00') + INTERVAL n * 1001 MICROSECOND + INTERVAL n HOUR,
             n * 10.25
      FROM s;
    INSERT INTO orders (client_id, total, status)
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n * 2})
      SELECT 1 + (n % ${n}), n * 3.5, IF(n % 3 = 0, 'paid', 'open') FROM s;
    INSERT INTO order_items (order_id, sku, qty)
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n * 3})
      SELECT 1 + (n % ${n * 2}), CONCAT('SKU-', n), n % 5 FROM s;
    INSERT INTO \`weird name-with\`\`tick\` VALUES (1, 'a'), (2, NULL);
  `)
  await conn.query('INSERT INTO blobs VALUES (1, ?), (2, NULL), (3, ?)', [ALL_BYTES, Buffer.alloc(0)])
  await conn.query(`
    CREATE ${definer}VIEW open_orders AS SELECT o.id, c.name, o.total FROM orders o JOIN clients c ON c.id = o.client_id WHERE o.status = 'open';
    CREATE ${definer}TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit_log (msg) VALUES (CONCAT('order ', NEW.id));
    CREATE ${definer}PROCEDURE close_order(IN oid INT) BEGIN UPDATE orders SET status = 'paid' WHERE id = oid; END;
    CREATE ${definer}FUNCTION order_total(oid INT) RETURNS DECIMAL(12,2) READS SQL DATA RETURN (SELECT total FROM orders WHERE id = oid);
    CREATE ${definer}EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM audit_log WHERE id < 0;
  `)
  await conn.query("INSERT INTO audit_log (msg) VALUES ('created')")
}

export async function tableNames(conn: Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query("SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [db])
  return (rows as { n: string }[]).map((r) => r.n)
}

const q = (name: string) => '`' + name.replace(/`/g, '``') + '`'

/** CHECKSUM TABLE of every base table, by name. */
export async function checksums(conn: Connection, db: string): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {}
  for (const t of await tableNames(conn, db)) {
    const [rows] = await conn.query(`CHECKSUM TABLE ${q(db)}.${q(t)}`)
    const v = (rows as { Checksum: number | string | null }[])[0]!.Checksum
    out[t] = v === null ? null : Number(v)
  }
  return out
}

/** SHOW CREATE of every table, view, trigger, routine and event: what a restore must reproduce. */
export async function definitions(conn: Connection, db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const [tables] = await conn.query('SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db])
  for (const { n, t } of tables as { n: string; t: string }[]) {
    const [rows] = await conn.query(`SHOW CREATE ${t === 'VIEW' ? 'VIEW' : 'TABLE'} ${q(db)}.${q(n)}`)
    const row = (rows as Record<string, string>[])[0]!
    out[`${t} ${n}`] = row['Create Table'] ?? row['Create View']!
  }
  const [triggers] = await conn.query('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db])
  for (const { n } of triggers as { n: string }[]) {
    const [rows] = await conn.query(`SHOW CREATE TRIGGER ${q(db)}.${q(n)}`)
    out[`TRIGGER ${n}`] = (rows as Record<string, string>[])[0]!['SQL Original Statement']!
  }
  const [routines] = await conn.query('SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?', [db])
  for (const { n, t } of routines as { n: string; t: string }[]) {
    const [rows] = await conn.query(`SHOW CREATE ${t} ${q(db)}.${q(n)}`)
    const row = (rows as Record<string, string>[])[0]!
    out[`${t} ${n}`] = row[t === 'PROCEDURE' ? 'Create Procedure' : 'Create Function']!
  }
  const [events] = await conn.query('SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [db])
  for (const { n } of events as { n: string }[]) {
    const [rows] = await conn.query(`SHOW CREATE EVENT ${q(db)}.${q(n)}`)
    out[`EVENT ${n}`] = (rows as Record<string, string>[])[0]!['Create Event']!
  }
  return out
}

/** Every table's checksum and every object's definition: what must come back after a restore. */
export async function databaseState(url: string, db: string): Promise<{ sums: Record<string, number | null>; defs: Record<string, string> }> {
  const conn = await connect(url)
  try {
    return { sums: await checksums(conn, db), defs: await definitions(conn, db) }
  } finally {
    await conn.end()
  }
}

/** Replaces the database name in definitions, to compare a copy restored under another name. */
export function renamed(defs: Record<string, string>, from: string, to: string): Record<string, string> {
  return Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, v.split(q(from) + '.').join(q(to) + '.')]))
}
