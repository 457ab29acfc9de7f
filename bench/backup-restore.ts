/**
 * Backup and restore on a generated ERP-shaped database. Prints a table of times and ratios; never
 * passes or fails.
 *
 *   node --import tsx bench/backup-restore.ts [--scale 0.25] [--repeat 3] [--keep] [--binlog]
 *
 * --scale 1 gives an ERP-sized database (clients 200k, inventory 100k, orders 1.5M,
 * order_items 6M, calendar_events 800k rows; ~1.2 GB); the default 0.25 about a quarter of that.
 * Server: ROLLOUT_TEST_MYSQL_URL, else mysql://root@127.0.0.1:3306 (MariaDB: rows come from its
 * sequence engine). The database `rollout_bench` is created and dropped again (--keep leaves it).
 * --binlog runs it on a private server of its own that writes a binary log (started, and stopped at
 * the end): differential restores then find the changed tables in the log instead of by checksums.
 * Where Debian's mydumper package is installed, mydumper and myloader (two threads, chunked) are
 * timed too, for comparison. The full restore is timed with rows loaded on the default number of
 * sessions and again on one.
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createBackup } from '../src/adapters/database/create-backup.js'
import { verifyBackup } from '../src/adapters/database/verify-backup.js'
import { restoreBackup } from '../src/adapters/database/restore-backup.js'
import { OPTION_FILE_PATH, closeOptionFile, openOptionFile } from '../src/adapters/database/defaults-file.js'
import { openConnection } from '../src/adapters/database/connect.js'
import { clientArguments, detectServer, findClientTool, findDumpTool, findExecutable } from '../src/adapters/database/tools.js'
import { parseMysqlUrl, withDatabase } from '../src/adapters/database/url.js'
import { ensureMysqlServer } from '../src/sandbox/mysql-server.js'

const args = process.argv.slice(2)
const scale = Number(args[args.indexOf('--scale') + 1] ?? 0.25) || 0.25
const keep = args.includes('--keep')
// Backups are short and this machine is shared: each is timed several times and the fastest run counts.
const repeat = Math.max(1, Number(args[args.indexOf('--repeat') + 1] ?? 3) || 3)
const binlogServer = args.includes('--binlog')
  ? await ensureMysqlServer({ stateDir: mkdtempSync(path.join(os.tmpdir(), 'rollout-bench-binlog-')), tryDefaultPort: false, serverOptions: ['--log-bin=binlog', '--server-id=21', '--binlog-format=MIXED', '--innodb-buffer-pool-size=512M'] })
  : null
const serverUrl = (binlogServer?.url ?? process.env.ROLLOUT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '')
const DB = 'rollout_bench'
const url = `${serverUrl}/${DB}`
const target = parseMysqlUrl(url)
const work = mkdtempSync(path.join(os.tmpdir(), 'rollout-bench-'))
const rows = (n: number) => Math.max(1, Math.round(n * scale))

async function sql(statements: string[]): Promise<void> {
  const conn = await openConnection(withDatabase(target, ''), { noDatabase: true })
  try {
    for (const s of statements) await conn.query(s)
  } finally {
    await conn.end()
  }
}

async function generate(): Promise<void> {
  const n = { clients: rows(200_000), inventory: rows(100_000), orders: rows(1_500_000), items: rows(6_000_000), events: rows(800_000) }
  await sql([`DROP DATABASE IF EXISTS ${DB}`, `CREATE DATABASE ${DB}`, `USE ${DB}`])
  const conn = await openConnection(target)
  const q = (s: string) => conn.query(s)
  await q(`CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(120) NOT NULL, role VARCHAR(20) NOT NULL)`)
  await q(`CREATE TABLE settings (k VARCHAR(40) PRIMARY KEY, v VARCHAR(200))`)
  await q(`CREATE TABLE clients (id INT PRIMARY KEY, name VARCHAR(100), email VARCHAR(120), phone VARCHAR(30), address VARCHAR(200), vip TINYINT NOT NULL DEFAULT 0, created_at DATETIME, notes TEXT)`)
  await q(`CREATE TABLE inventory (id INT PRIMARY KEY, sku VARCHAR(40) NOT NULL UNIQUE, name VARCHAR(120), qty INT, price DECIMAL(10,2), location VARCHAR(40), updated_at DATETIME)`)
  await q(`CREATE TABLE orders (id INT PRIMARY KEY, client_id INT NOT NULL, status ENUM('open','paid','shipped') NOT NULL, total DECIMAL(12,2), created_at DATETIME, note VARCHAR(200), FOREIGN KEY (client_id) REFERENCES clients(id))`)
  await q(`CREATE TABLE order_items (id INT PRIMARY KEY, order_id INT NOT NULL, inventory_id INT NOT NULL, qty INT, price DECIMAL(10,2), FOREIGN KEY (order_id) REFERENCES orders(id), FOREIGN KEY (inventory_id) REFERENCES inventory(id))`)
  await q(`CREATE TABLE calendar_events (id INT PRIMARY KEY, client_id INT, title VARCHAR(120), starts_at DATETIME, ends_at DATETIME, location VARCHAR(80), description TEXT)`)
  await q(`INSERT INTO users SELECT seq, CONCAT('user', seq, '@terp.example'), IF(seq % 10 = 0, 'admin', 'staff') FROM seq_1_to_50`)
  await q(`INSERT INTO settings SELECT CONCAT('setting_', seq), REPEAT('v', seq) FROM seq_1_to_20`)
  await q(`INSERT INTO clients SELECT seq, CONCAT('Client ', seq), CONCAT('client', seq, '@example.com'), CONCAT('+1-555-', LPAD(seq % 10000, 4, '0')), CONCAT(seq, ' Market Street, Springfield'), seq % 20 = 0, '2025-01-01' + INTERVAL seq MINUTE, IF(seq % 3 = 0, REPEAT('note ', 20), NULL) FROM seq_1_to_${n.clients}`)
  await q(`INSERT INTO inventory SELECT seq, CONCAT('SKU-', seq), CONCAT('Item ', seq, ' premium grade'), seq % 500, (seq % 1000) + 0.99, CONCAT('A', seq % 40, '-', seq % 7), '2025-06-01' + INTERVAL seq SECOND FROM seq_1_to_${n.inventory}`)
  for (let from = 1; from <= n.orders; from += 500_000) {
    const to = Math.min(n.orders, from + 499_999)
    await q(`INSERT INTO orders SELECT seq, 1 + seq % ${n.clients}, ELT(1 + seq % 3, 'open', 'paid', 'shipped'), (seq % 5000) / 3, '2025-01-01' + INTERVAL seq SECOND, IF(seq % 4 = 0, 'deliver before noon', NULL) FROM seq_${from}_to_${to}`)
  }
  for (let from = 1; from <= n.items; from += 1_000_000) {
    const to = Math.min(n.items, from + 999_999)
    await q(`INSERT INTO order_items SELECT seq, 1 + seq % ${n.orders}, 1 + seq % ${n.inventory}, 1 + seq % 9, (seq % 1000) + 0.5 FROM seq_${from}_to_${to}`)
  }
  await q(`INSERT INTO calendar_events SELECT seq, 1 + seq % ${n.clients}, CONCAT('Visit ', seq), '2025-01-01' + INTERVAL seq * 7 MINUTE, '2025-01-01' + INTERVAL seq * 7 + 30 MINUTE, CONCAT('Room ', seq % 12), REPEAT('agenda ', 1 + seq % 12) FROM seq_1_to_${n.events}`)
  await q(`CREATE VIEW order_totals AS SELECT o.client_id, COUNT(*) AS orders, SUM(o.total) AS total FROM orders o GROUP BY o.client_id`)
  await q(`CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.note = COALESCE(NEW.note, OLD.note)`)
  await q(`CREATE PROCEDURE close_order(IN oid INT) UPDATE orders SET status = 'paid' WHERE id = oid`)
  await conn.end()
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now()
  const value = await fn()
  return [(performance.now() - started) / 1000, value]
}

/** The fastest of `repeat` runs; `cleanup` gets the result of every slower one. */
async function fastest<T>(fn: () => Promise<T>, cleanup?: (value: T) => Promise<void> | void): Promise<[number, T]> {
  let best: [number, T] | undefined
  for (let i = 0; i < repeat; i++) {
    const run = await timed(fn)
    if (!best || run[0] < best[0]) {
      if (best && cleanup) await cleanup(best[1])
      best = run
    } else if (cleanup) await cleanup(run[1])
  }
  return best!
}

/** A process with a file as stdin or stdout: the tool alone, nothing of ours in between. */
function runTool(file: string, argv: string[], io: { stdin?: string; stdout?: string }): Promise<void> {
  const inFd = io.stdin ? openSync(io.stdin, 'r') : 'ignore'
  const outFd = io.stdout ? openSync(io.stdout, 'w', 0o600) : 'ignore'
  // The credentials as the product passes them: an option file on the tool's fd 3.
  const optionFd = openOptionFile(target)
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: [inFd, outFd, 'pipe', optionFd] })
    closeOptionFile(optionFd)
    let err = ''
    child.stderr!.on('data', (d) => (err += d))
    child.on('close', (code) => {
      for (const fd of [inFd, outFd]) if (typeof fd === 'number') closeSync(fd)
      if (code === 0) resolve()
      else reject(new Error(`${path.basename(file)} exited ${code}: ${err.trim()}`))
    })
  })
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`)
  log(`generating ${DB} at scale ${scale}…`)
  const [genS] = await timed(generate)
  const probe = await openConnection(target)
  const server = await detectServer(probe)
  const [[size]] = (await probe.query(`SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS size FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${DB}'`)) as unknown as [[{ size: number }]]
  await probe.end()
  log(`generated in ${genS.toFixed(1)} s: ${(Number(size.size) / 1e6).toFixed(0)} MB on disk, ${server.flavor} ${server.version}`)

  const dumpTool = await findDumpTool(server)
  const client = await findClientTool(server)
  const plainFile = path.join(work, 'plain.sql')
  const results: { op: string; s: number; note?: string }[] = []

  log('plain dump…')
  const [plainDumpS] = await fastest(() =>
    runTool(dumpTool.path, [`--defaults-extra-file=${OPTION_FILE_PATH}`, '--single-transaction', '--routines', '--triggers', '--events', DB], { stdout: plainFile }),
  )
  results.push({ op: `plain ${path.basename(dumpTool.path)} > file`, s: plainDumpS, note: `${(statSync(plainFile).size / 1e6).toFixed(0)} MB` })

  // mydumper/myloader (Debian's "mydumper" package) as the anchor for parallel dumps and loads,
  // where installed: two threads, tables cut into chunks of 500 000 rows.
  const mydumper = await findExecutable('mydumper')
  const myloader = await findExecutable('myloader')
  const mydumperDir = path.join(work, 'mydumper')
  if (mydumper && myloader) {
    log('mydumper…')
    const [mydumperS] = await fastest(() => {
      rmSync(mydumperDir, { recursive: true, force: true })
      return runTool(mydumper, [`--defaults-file=${OPTION_FILE_PATH}`, '--database', DB, '--threads', '2', '--rows', '500000', '--triggers', '--events', '--routines', '--outputdir', mydumperDir], {})
    })
    results.push({ op: 'mydumper -t 2 -r 500000 (for comparison)', s: mydumperS, note: `${(mydumperS / plainDumpS).toFixed(2)}× plain dump` })
  } else log('mydumper is not installed: its rows are left out (apt-get install mydumper)')

  log('verified backup (zstd when installed)…')
  const dir = path.join(work, 'backups')
  const drop = (b: { path: string; manifestPath: string }) => {
    rmSync(b.path, { force: true })
    rmSync(b.manifestPath, { force: true })
  }
  const [backupS, made] = await fastest(() => createBackup({ url, dir }), drop)
  const [quickS] = await fastest(() => verifyBackup({ backup: made.manifestPath, level: 'quick' }))
  results.push({ op: `our backup (${made.manifest.compression}, checksums in the dump's snapshot)`, s: backupS, note: `${(made.manifest.sizeBytes / 1e6).toFixed(0)} MB` })
  results.push({ op: 'our quick verification', s: quickS })
  results.push({ op: 'our backup + quick verification', s: backupS + quickS, note: `${((backupS + quickS) / plainDumpS).toFixed(2)}× plain dump (goal ≤ 1.0×)` })

  log('gzip backup for comparison…')
  const [gzipS, gz] = await fastest(() => createBackup({ url, dir, compression: 'gzip', suffix: 'gzip' }), drop)
  results.push({ op: 'our backup with gzip (node:zlib level 1) instead', s: gzipS, note: `${(gz.manifest.sizeBytes / 1e6).toFixed(0)} MB` })

  log('full verification (trial restore into a scratch schema)…')
  const [fullVerifyS, fv] = await timed(() => verifyBackup({ backup: made.manifestPath, level: 'full', url }))
  results.push({ op: 'our full verification (scratch restore + checksums)', s: fullVerifyS, note: fv.ok ? 'passed' : `FAILED: ${fv.problems[0]}` })

  log('plain restore…')
  const [plainRestoreS] = await timed(() => runTool(client.path, clientArguments(OPTION_FILE_PATH, DB), { stdin: plainFile }))
  results.push({ op: `plain ${path.basename(client.path)} < file (full restore)`, s: plainRestoreS })
  if (mydumper && myloader) {
    log('myloader…')
    const [myloaderS] = await timed(() => runTool(myloader, [`--defaults-file=${OPTION_FILE_PATH}`, '--database', DB, '--threads', '2', '--overwrite-tables', '--directory', mydumperDir], {}))
    results.push({ op: 'myloader -t 2, chunked dump (for comparison)', s: myloaderS, note: `${(myloaderS / plainRestoreS).toFixed(2)}× plain restore` })
  }

  log('our full restore…')
  const [fullS, full] = await timed(() => restoreBackup({ url, backup: made.manifestPath, mode: 'full' }))
  results.push({ op: `our full restore (with proof), rows on ${full.sessions} session${full.sessions === 1 ? '' : 's'}`, s: fullS, note: `${(fullS / plainRestoreS).toFixed(2)}× plain restore (goal ≤ 0.8×)` })
  const [singleS, single] = await timed(() => restoreBackup({ url, backup: made.manifestPath, mode: 'full', sessions: 1 }))
  results.push({ op: 'our full restore (with proof), one session', s: singleS, note: `${(singleS / plainRestoreS).toFixed(2)}× plain restore${single.proof.ok ? '' : '; PROOF FAILED'}` })

  const phases = (r: Awaited<ReturnType<typeof restoreBackup>>) =>
    `check ${(r.timings.checkMs / 1000).toFixed(1)} s, compare ${(r.timings.compareMs / 1000).toFixed(1)} s, replay ${(r.timings.replayMs / 1000).toFixed(1)} s, proof ${(r.timings.proofMs / 1000).toFixed(1)} s`
  const what = (r: Awaited<ReturnType<typeof restoreBackup>>) =>
    [r.changes?.source === 'binlog' ? `changes from the binary log (${r.changes.events} events)` : `changes by checksum`, r.tables.replayed.length ? `replayed ${r.tables.replayed.join(', ')}` : '', r.tables.reverted.length ? `reverted ${r.tables.reverted.join(', ')}` : '', r.tables.dropped.length ? `dropped ${r.tables.dropped.join(', ')}` : ''].filter(Boolean).join('; ')

  // A rollback restores the backup its run took just before migrating: a fresh one before each
  // migration here, so that what was written since is that migration alone, as in a rollback.
  const freshBackup = async (suffix: string) => {
    const fresh = await createBackup({ url, dir, suffix })
    await verifyBackup({ backup: fresh.manifestPath, level: 'quick' })
    return fresh
  }
  let base = await freshBackup('before-big')

  log('migration adding a column and an index to the largest table, then differential restore…')
  await sql([`ALTER TABLE ${DB}.order_items ADD COLUMN discount DECIMAL(5,2) NOT NULL DEFAULT 0, ADD INDEX by_qty (qty)`])
  const [bigS, big] = await timed(() => restoreBackup({ url, backup: base.manifestPath }))
  results.push({ op: 'differential restore after ADD COLUMN + INDEX on order_items', s: bigS, note: `${(bigS / plainRestoreS).toFixed(3)}× plain restore (goal ≤ 0.05×); ${what(big)}; ${phases(big)}` })

  base = await freshBackup('before-type')
  log('migration changing a column type of a large table (no revert: its rows are replayed)…')
  await sql([`ALTER TABLE ${DB}.clients MODIFY phone VARCHAR(40)`])
  const [typeS, typed] = await timed(() => restoreBackup({ url, backup: base.manifestPath }))
  results.push({ op: 'differential restore after MODIFY of a clients column', s: typeS, note: `${(typeS / plainRestoreS).toFixed(3)}× plain restore; ${what(typed)}; ${phases(typed)}` })

  base = await freshBackup('before-small')
  log('migration touching only small tables, then differential restore…')
  await sql([`ALTER TABLE ${DB}.settings ADD COLUMN scope VARCHAR(20)`, `UPDATE ${DB}.users SET role = 'viewer' WHERE id <= 5`, `CREATE TABLE ${DB}.feature_flags (id INT PRIMARY KEY)`])
  const [smallS, small] = await timed(() => restoreBackup({ url, backup: base.manifestPath }))
  results.push({ op: 'differential restore after small-table migration', s: smallS, note: `${(smallS / plainRestoreS).toFixed(3)}× plain restore (goal ≤ 0.02×); ${what(small)}; ${phases(small)}` })

  const width = Math.max(...results.map((r) => r.op.length))
  console.log(`\n(dumps, backups and quick verifications: fastest of ${repeat} runs; restores: one run)`)
  console.log(`\nbackup and restore, ${DB} at scale ${scale} (${(Number(size.size) / 1e6).toFixed(0)} MB on disk, dump ${(made.manifest.dumpBytes / 1e6).toFixed(0)} MB), ${server.flavor} ${server.version}${binlogServer ? ' with a binary log' : ''}, ${os.cpus().length} cores\n`)
  console.log(`| ${'operation'.padEnd(width)} | seconds | notes |`)
  console.log(`|${'-'.repeat(width + 2)}|---------|-------|`)
  for (const r of results) console.log(`| ${r.op.padEnd(width)} | ${r.s.toFixed(2).padStart(7)} | ${r.note ?? ''} |`)
}

try {
  await main()
} finally {
  rmSync(work, { recursive: true, force: true })
  if (!keep) await sql([`DROP DATABASE IF EXISTS ${DB}`]).catch(() => {})
  await binlogServer?.stop()
}
