import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { SqliteStore } from '../../src/adapters/store/sqlite.js'
import { writeManifest, type BackupManifest } from '../../src/adapters/database/manifest.js'
import { makeProject, runCli, tempDir } from '../support/cli.js'
import { createTestDatabase, testServerUrl } from '../support/mysql.js'

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true })
  try {
    return (await conn.query(sql))[0] as T[]
  } finally {
    await conn.end()
  }
}

/**
 * A folder of stand-ins put first on PATH: `name` runs `body` (sh), after recording the command
 * line the kernel shows for it into `record`.
 */
function standIns(record: string, tools: Record<string, string>): string {
  const dir = tempDir('rollout-tools-')
  for (const [name, body] of Object.entries(tools)) {
    const real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name}: $(tr '\\0' ' ' < /proc/$$/cmdline)" >> '${record}'\nREAL='${real}'\n${body}\n`)
    chmodSync(path.join(dir, name), 0o755)
  }
  return dir
}

describe('rollout backup, backups and restore against a real database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let other: Awaited<ReturnType<typeof createTestDatabase>>
  const user = `cli_${randomBytes(3).toString('hex')}`
  const password = `Pw-${randomBytes(8).toString('hex')}`
  let env: Record<string, string>
  let dir: string

  before(async () => {
    db = await createTestDatabase('cli')
    other = await createTestDatabase('cli_other')
    await query(testServerUrl(), `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'; GRANT ALL ON \`${db.name}_verify_%\`.* TO '${user}'@'%'; GRANT RELOAD ON *.* TO '${user}'@'%'`)
    await query(db.url, "CREATE TABLE clients (id INT PRIMARY KEY, name VARCHAR(50)); INSERT INTO clients VALUES (1, 'Ada'), (2, 'Grace'); CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2)); INSERT INTO orders VALUES (1, 9.99)")
    const server = new URL(testServerUrl())
    // The runbook's way: the config names no database, DATABASE_URL does.
    env = { DATABASE_URL: `mysql://${user}:${encodeURIComponent(password)}@${server.hostname}:${server.port || 3306}/${db.name}` }
    dir = makeProject({
      environments: {
        staging: { url: 'https://staging.example.test', backups: { dir: 'backups', verify: 'full', keep: 2 } },
        other: { url: 'https://other.example.test', database: { url: other.url }, backups: { dir: 'backups' } },
      },
    })
  })
  after(async () => {
    await query(testServerUrl(), `DROP USER IF EXISTS '${user}'@'%'`)
    await db.drop()
    await other.drop()
  })

  let backupId: string
  it('backup writes a verified, owner-only backup and backups --json lists it by id; the password shows nowhere', async () => {
    const record = path.join(tempDir(), 'argv.txt')
    const tools = standIns(record, { 'mariadb-dump': 'exec "$REAL" "$@"', mysqldump: 'exec "$REAL" "$@"' })
    const run = await runCli(['backup', 'staging', '--verbose'], { cwd: dir, env: { ...env, PATH: `${tools}${path.delimiter}${process.env.PATH}` } })
    assert.equal(run.code, 0, run.stderr)
    const id = /^✓ (backup_\d{8}_\d{6}\S*) of (\S+)$/m.exec(run.stdout)
    assert.ok(id, run.stdout)
    backupId = id[1]!
    assert.equal(id[2], db.name)
    assert.match(run.stdout, /tables {4}2 \(3 rows\)/)
    assert.match(run.stdout, /verified {2}full: restored into a scratch schema, 2 table checksums equal the manifest/)
    assert.match(run.stdout, new RegExp(`path {6}${path.join('backups', backupId)}\\.sql\\.(zst|gz)`))

    const listed = await runCli(['backups', 'staging', '--json'], { cwd: dir, env })
    assert.equal(listed.code, 0, listed.stderr)
    const entries = JSON.parse(listed.stdout) as { id: string; status: string; verified: string; database: string; path: string; manifestPath: string }[]
    assert.deepEqual(entries.map((e) => [e.id, e.status, e.verified, e.database]), [[backupId, 'verified', 'full', db.name]])
    const entry = entries[0]!
    assert.equal(statSync(path.join(dir, 'backups')).mode & 0o777, 0o700)
    assert.equal(statSync(entry.path).mode & 0o777, 0o600)
    assert.equal(statSync(entry.manifestPath).mode & 0o777, 0o600)

    const argv = readFileSync(record, 'utf8')
    assert.match(argv, /^mariadb-dump: .*--defaults-extra-file=/m)
    for (const text of [argv, run.stdout, run.stderr, listed.stdout, readFileSync(entry.manifestPath, 'utf8')]) {
      assert.ok(!text.includes(password), 'the password shows')
    }
  })

  it('restore --yes after a change to one table replays only that table and the data is back', async () => {
    await query(db.url, "UPDATE clients SET name = 'changed'")
    const run = await runCli(['restore', 'staging', backupId, '--yes', '--json'], { cwd: dir, env })
    assert.equal(run.code, 0, run.stderr)
    const report = JSON.parse(run.stdout)
    assert.equal(report.performed, 'differential')
    assert.deepEqual(report.tables.replayed, ['clients'])
    assert.deepEqual(report.tables.unchanged, ['orders'])
    assert.equal(report.proof.ok, true)
    assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'Ada' }, { name: 'Grace' }])
  })

  it('restore prints which tables were replayed and the proof', async () => {
    await query(db.url, 'DELETE FROM orders; CREATE TABLE scratch (id INT)')
    const run = await runCli(['restore', 'staging', 'latest', '--yes'], { cwd: dir, env })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, new RegExp(`^✓ Restored ${backupId} into ${db.name} \\(differential\\), proven$`, 'm'))
    assert.match(run.stdout, /^ {2}replayed {3}orders \(data differs\)$/m)
    assert.match(run.stdout, /^ {2}dropped {4}scratch \(not in the backup\)$/m)
    // This server writes no binary log: the changed tables were found by checksums, and it says so.
    assert.match(run.stdout, /^ {2}changes {4}found by a checksum of every table \(the backup recorded no binary log position\)$/m)
    assert.match(run.stdout, /^ {2}proof {6}every table's checksum equals the backup's: 2 tables \(1 checked after the replay, 1 just before it\)/m)
    assert.deepEqual(await query(db.url, 'SELECT total FROM orders'), [{ total: '9.99' }])
  })

  it('restore --prove-all checksums the unchanged tables again after the replay', async () => {
    await query(db.url, 'DELETE FROM orders')
    const run = await runCli(['restore', 'staging', 'latest', '--yes', '--prove-all'], { cwd: dir, env })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^ {2}proof {6}every table's checksum equals the backup's: 2 tables \(2 checked after the replay\)/m)
  })

  it('restore without --yes and without a terminal is a usage error and changes nothing', async () => {
    await query(db.url, "UPDATE clients SET name = 'kept' WHERE id = 1")
    const run = await runCli(['restore', 'staging', backupId], { cwd: dir, env })
    assert.equal(run.code, 2, run.stdout + run.stderr)
    assert.match(run.stderr, new RegExp(`not confirmed: restoring ${backupId} \\(database ${db.name}, .*verified full\\) into ${db.name} on [^ ]+ replaces the tables that differ from it`))
    assert.match(run.stderr, /pass --yes to confirm when not at a terminal/)
    assert.deepEqual(await query(db.url, 'SELECT name FROM clients WHERE id = 1'), [{ name: 'kept' }])
  })

  it('a backup of another database is refused without --force, and restored into it with --force', async () => {
    const refused = await runCli(['restore', 'other', backupId, '--yes'], { cwd: dir })
    assert.equal(refused.code, 2, refused.stdout + refused.stderr)
    assert.match(refused.stderr, new RegExp(`backup ${backupId} is of database "${db.name}", not "${other.name}"`))
    assert.match(refused.stderr, /pass --force to restore it into this database anyway/)
    assert.deepEqual(await query(other.url, 'SHOW TABLES'), [])

    const forced = await runCli(['restore', 'other', backupId, '--yes', '--force'], { cwd: dir })
    assert.equal(forced.code, 0, forced.stderr)
    assert.deepEqual(await query(other.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'Ada' }, { name: 'Grace' }])
  })

  it('a restore whose replay breaks off exits 3 and names the command that finishes it', async () => {
    await query(db.url, "UPDATE clients SET name = 'broken'")
    // The server's client dies part-way, as on a dropped connection.
    const tools = standIns(path.join(tempDir(), 'argv.txt'), {
      mariadb: 'case "$1" in --version) exec "$REAL" "$@";; esac\nhead -c 10 >/dev/null\necho "ERROR 2013 (HY000) at line 3: Lost connection to server during query" >&2\nexit 1',
      mysql: 'case "$1" in --version) exec "$REAL" "$@";; esac\nexit 1',
    })
    const run = await runCli(['restore', 'staging', backupId, '--yes'], { cwd: dir, env: { ...env, PATH: `${tools}${path.delimiter}${process.env.PATH}` } })
    assert.equal(run.code, 3, run.stdout + run.stderr)
    assert.match(run.stderr, new RegExp(`the restore of ${backupId} into ${db.name} did not complete: .*Lost connection`))
    assert.match(run.stderr, new RegExp(`The database may be partly restored\\. Finish the restore with:\\n {2}rollout restore staging ${backupId} --full --yes\\n`))
    assert.ok(!run.stderr.includes(password))

    const finish = await runCli(['restore', 'staging', backupId, '--full', '--yes'], { cwd: dir, env })
    assert.equal(finish.code, 0, finish.stderr)
    assert.match(finish.stdout, /\(full\), proven/)
    assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'Ada' }, { name: 'Grace' }])
  })

  it('a manifest edited after the backup was written is refused before anything changes: exit 1, naming the manifest', async () => {
    const manifestPath = path.join(dir, 'backups', `${backupId}.manifest.json`)
    const original = readFileSync(manifestPath, 'utf8')
    try {
      const m = JSON.parse(original)
      m.tables.find((t: { name: string }) => t.name === 'clients').checksum += 1
      writeFileSync(manifestPath, JSON.stringify(m, null, 2) + '\n')
      await query(db.url, "UPDATE clients SET name = 'edited'; CREATE TABLE extra (id INT)")
      const run = await runCli(['restore', 'staging', backupId, '--yes'], { cwd: dir, env })
      assert.equal(run.code, 1, run.stdout + run.stderr)
      assert.match(run.stderr, new RegExp(`the manifest ${manifestPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not match what was recorded in ${backupId}\\.seal\\.json when the backup was written`))
      assert.doesNotMatch(run.stderr, /--full|partly restored/)
      assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'edited' }, { name: 'edited' }])
      assert.equal((await query(db.url, "SHOW TABLES LIKE 'extra'")).length, 1, 'nothing was dropped')
      const listed = JSON.parse((await runCli(['backups', 'staging', '--json'], { cwd: dir, env })).stdout) as { id: string; status: string }[]
      assert.equal(listed.find((b) => b.id === backupId)?.status, 'invalid')
    } finally {
      writeFileSync(manifestPath, original)
    }
  })

  it('a manifest without its seal (older than seals, or changed and its seal removed) is refused unless --force, which restores it with a warning', async () => {
    const sealPath = path.join(dir, 'backups', `${backupId}.seal.json`)
    const seal = readFileSync(sealPath)
    try {
      rmSync(sealPath)
      // What a tampering hand would do next: change the manifest the seal no longer guards.
      await query(db.url, "UPDATE clients SET name = 'edited'")
      const refused = await runCli(['restore', 'staging', backupId, '--yes'], { cwd: dir, env })
      assert.equal(refused.code, 1, refused.stdout + refused.stderr)
      assert.match(refused.stderr, /the manifest \S+\.manifest\.json could not be checked: its seal \(\S+\.seal\.json\) is missing/)
      assert.match(refused.stderr, /pass --force to restore it anyway/)
      assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'edited' }, { name: 'edited' }], 'the refused restore changed the database')

      const run = await runCli(['restore', 'staging', backupId, '--yes', '--force'], { cwd: dir, env })
      assert.equal(run.code, 0, run.stdout + run.stderr)
      assert.match(run.stdout, /^ {2}warning {4}the manifest \S+\.manifest\.json could not be checked: its seal/m)
      assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'Ada' }, { name: 'Grace' }])
    } finally {
      writeFileSync(sealPath, seal, { mode: 0o600 })
    }
  })

  it('a .zst backup whose body is gzip is refused before the replay: exit 1, and it says nothing was changed', async () => {
    const manifestPath = path.join(dir, 'backups', `${backupId}.manifest.json`)
    const sealPath = path.join(dir, 'backups', `${backupId}.seal.json`)
    const original = { manifest: readFileSync(manifestPath), seal: readFileSync(sealPath) }
    const m = JSON.parse(original.manifest.toString()) as BackupManifest
    const file = path.join(dir, 'backups', m.file)
    assert.equal(m.compression, 'zstd')
    const body = readFileSync(file)
    try {
      // Recompressed with gzip under the same name, and recorded as such a backup would be.
      const gz = gzipSync(execFileSync('zstd', ['-d', '-c', file], { maxBuffer: 1 << 30 }))
      writeFileSync(file, gz)
      await writeManifest(manifestPath, { ...m, sha256: createHash('sha256').update(gz).digest('hex'), sizeBytes: gz.length })
      await query(db.url, "UPDATE clients SET name = 'kept'; CREATE TABLE scratch2 (id INT)")
      const run = await runCli(['restore', 'staging', backupId, '--yes'], { cwd: dir, env })
      assert.equal(run.code, 1, run.stdout + run.stderr)
      assert.match(run.stderr, /the backup file is gzip-compressed, but its manifest says zstd; nothing in the database was changed/)
      assert.doesNotMatch(run.stderr, /partly restored|--full/)
      assert.deepEqual(await query(db.url, 'SELECT name FROM clients ORDER BY id'), [{ name: 'kept' }, { name: 'kept' }])
      assert.equal((await query(db.url, "SHOW TABLES LIKE 'scratch2'")).length, 1)
    } finally {
      writeFileSync(file, body)
      writeFileSync(manifestPath, original.manifest)
      writeFileSync(sealPath, original.seal)
    }
  })

  it('backup and restore wait for no one: while a run holds the environment they exit 4 and say who holds it', async () => {
    const store = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
    await store.acquireLock('staging', { runId: '20261125-101500-beef', user: 'ana', host: 'build-box-7', pid: 4242, since: new Date().toISOString() }, 60_000, () => null)
    try {
      for (const args of [['backup', 'staging'], ['restore', 'staging', backupId, '--yes']]) {
        const run = await runCli(args, { cwd: dir, env })
        assert.equal(run.code, 4, `${args[0]}: ${run.stdout}${run.stderr}`)
        assert.match(run.stderr, /environment "staging" is locked by run 20261125-101500-beef \(ana@build-box-7, pid 4242\)/)
      }
    } finally {
      await store.forceUnlock('staging')
      store.close()
    }
  })

  it('retention keeps the newest backups.keep after each verified backup', async () => {
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const run = await runCli(['backup', 'staging', '--json'], { cwd: dir, env })
      assert.equal(run.code, 0, run.stderr)
      const result = JSON.parse(run.stdout)
      assert.equal(result.verification.ok, true)
      ids.push(result.id)
      if (i === 1) assert.deepEqual(result.retention, { policy: 'keep 2', deleted: [backupId] })
    }
    const listed = JSON.parse((await runCli(['backups', 'staging', '--json'], { cwd: dir, env })).stdout) as { id: string }[]
    assert.deepEqual(listed.map((e) => e.id), [ids[1], ids[0]])
  })
})
