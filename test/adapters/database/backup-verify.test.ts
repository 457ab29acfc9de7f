import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, rm, stat, truncate, writeFile, readdir } from 'node:fs/promises'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { execFileSync } from 'node:child_process'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { listBackups } from '../../../src/adapters/database/catalog.js'
import { readManifest } from '../../../src/adapters/database/manifest.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import type { DatabaseProgress } from '../../../src/adapters/database/progress.js'
import { checksums, connect, createFixture, createTestDatabase, tempDir, QUOTED_NAME } from './support.js'

const ZSTD = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v zstd']).toString().trim()
  } catch {
    return ''
  }
})()

describe('backup and verification against a real server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  let live: Record<string, number | null>
  const liveRows: Record<string, number> = {}

  before(async () => {
    db = await createTestDatabase('bk')
    folder = tempDir()
    const conn = await connect(db.url)
    await createFixture(conn)
    live = await checksums(conn, db.name)
    for (const name of Object.keys(live)) {
      const [[row]] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${name.replace(/`/g, '``')}\``)) as unknown as [{ n: number }[]]
      liveRows[name] = Number(row!.n)
    }
    await conn.end()
  })
  after(async () => {
    await db.drop()
    folder.cleanup()
  })

  it('writes an owner-only backup whose manifest describes every table and object', async () => {
    const progress: DatabaseProgress[] = []
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/backups`, onProgress: (p) => progress.push(p) })
    assert.match(made.id, /^backup_\d{8}_\d{6}$/)
    assert.equal((await stat(`${folder.dir}/backups`)).mode & 0o777, 0o700)
    assert.equal((await stat(made.path)).mode & 0o777, 0o600)
    assert.equal((await stat(made.manifestPath)).mode & 0o777, 0o600)

    const m = made.manifest
    assert.equal(m.database, db.name)
    assert.equal(m.server.flavor, 'mariadb')
    assert.equal(m.consistency.checksums, 'synchronised')
    assert.deepEqual(m.objects, { views: 1, triggers: 1, routines: 2, events: 1 })
    assert.deepEqual(m.tables.map((t) => t.name).sort(), Object.keys(live).sort())
    for (const t of m.tables) assert.equal(t.checksum, live[t.name], `checksum of ${t.name}`)
    // Counted from the dump as it passed, not by the server: each equals the table's COUNT(*).
    for (const t of m.tables) assert.equal(t.rows, liveRows[t.name], `rows of ${t.name}`)
    assert.equal(m.tables.find((t) => t.name === 'clients')!.rows, 300)
    assert.equal(m.tables.find((t) => t.name === 'empty_table')!.rows, 0)
    assert.equal(m.tables.find((t) => t.name === 'orders')!.triggers, 1)
    assert.match(m.tables.find((t) => t.name === QUOTED_NAME)!.definition, /^CREATE TABLE `weird name-with``tick`/)
    assert.equal(typeof m.schemaFingerprint, 'string')
    assert.equal(m.verifications.length, 0)
    assert.equal((await stat(made.path)).size, m.sizeBytes)

    // The byte ranges point at each table's own part of the uncompressed dump.
    const dump = m.compression === 'zstd' ? execFileSync('zstd', ['-d', '-c', made.path], { maxBuffer: 1 << 28 }) : gunzipSync(await readFile(made.path))
    assert.equal(dump.length, m.dumpBytes)
    assert.match(dump.subarray(dump.length - 40).toString(), /-- Dump completed\s*$/)
    for (const t of m.tables) {
      const part = dump.subarray(t.range.start, t.range.end).toString()
      assert.ok(part.startsWith(`--\n-- Table structure for table \`${t.name.replace(/`/g, '``')}\``), `part of ${t.name} starts with its header`)
      if (t.rows > 0) assert.match(dump.subarray(t.data!.start, t.data!.end).toString(), /^--\n-- Dumping data[\s\S]*INSERT INTO[\s\S]*UNLOCK TABLES;\n$/)
    }

    assert.ok(progress.some((p) => p.stage === 'dump' && p.bytesDone > 0 && p.tablesTotal === 7))
    assert.ok(progress.some((p) => p.stage === 'checksum' && p.tablesDone === 7))
  })

  it('passes quick and full verification, and records both in the manifest', async () => {
    const [entry] = await listBackups(`${folder.dir}/backups`)
    assert.equal(entry!.status, 'unverified')
    const progress: DatabaseProgress[] = []
    const quick = await verifyBackup({ backup: entry!.id, dir: `${folder.dir}/backups`, level: 'quick', onProgress: (p) => progress.push(p) })
    assert.equal(quick.ok, true, quick.problems.join('; '))
    // Its frames were decompressed and checked as it was written: the file's hash is read, not its dump.
    assert.equal(quick.hashOnly, true)
    assert.equal(progress.filter((p) => p.stage === 'verify').length, 0)
    const full = await verifyBackup({ backup: entry!.id, dir: `${folder.dir}/backups`, level: 'full', url: db.url })
    assert.equal(full.ok, true, full.problems.join('; '))
    assert.ok(full.scratch)
    const m = await readManifest(entry!.manifestPath)
    assert.deepEqual(m.verifications.map((v) => [v.level, v.ok]), [['quick', true], ['full', true]])
    const [listed] = await listBackups(`${folder.dir}/backups`)
    assert.equal(listed!.status, 'verified')
    assert.equal(listed!.verified, 'full')
    // The scratch schema is gone again.
    const conn = await connect(db.url)
    const [rows] = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [full.scratch])
    await conn.end()
    assert.equal((rows as unknown[]).length, 0)
  })

  it('fails quick verification of a changed file and never offers it for restore', async () => {
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/tampered` })
    const bytes = await readFile(made.path)
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff
    await writeFile(made.path, bytes)
    const result = await verifyBackup({ backup: made.manifestPath, level: 'quick' })
    assert.equal(result.ok, false)
    assert.ok(result.problems.some((p) => /SHA-256/.test(p)), result.problems.join('; '))
    const [listed] = await listBackups(`${folder.dir}/tampered`)
    assert.equal(listed!.status, 'invalid')
    await assert.rejects(restoreBackup({ url: db.url, backup: made.manifestPath }), (e: unknown) => e instanceof DatabaseError && e.reason === 'INVALID_BACKUP')
  })

  it('decompresses the whole dump in a quick verification of a backup whose frames were not checked as written', async () => {
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/unchecked` })
    const m = await readManifest(made.manifestPath)
    delete m.layout.framesChecked
    // As a backup written before frames were checked: no flag, and no seal over the manifest.
    await writeFile(made.manifestPath, JSON.stringify(m, null, 2) + '\n')
    await rm(made.manifestPath.replace('.manifest.json', '.seal.json'))
    const progress: DatabaseProgress[] = []
    const quick = await verifyBackup({ backup: made.manifestPath, level: 'quick', onProgress: (p) => progress.push(p) })
    assert.equal(quick.ok, true, quick.problems.join('; '))
    assert.equal(quick.hashOnly, undefined)
    assert.equal(progress.filter((p) => p.stage === 'verify').at(-1)?.bytesDone, m.dumpBytes)
  })

  for (const fault of [
    { name: 'loses the last byte given to it', pipe: 'head -c -1 | "$REAL" "$@"', error: /frame 1 of the backup decompresses to \d+ bytes, \d+ were given to the compressor/ },
    { name: 'writes a damaged frame', pipe: `"$REAL" "$@" | node -e 'let n=0;process.stdin.on("data",c=>{if(n<40&&n+c.length>40)c[40-n]^=0xff;n+=c.length;process.stdout.write(c)})'`, error: /frame 1 of the backup does not decompress/ },
  ]) {
    it(`fails the backup and keeps nothing when the compressor ${fault.name}`, { skip: !ZSTD && 'zstd is not installed' }, async () => {
      const bin = tempDir()
      writeFileSync(`${bin.dir}/zstd`, `#!/bin/sh\nREAL=${ZSTD}\ncase " $* " in *" -d "*) exec "$REAL" "$@";; esac\n${fault.pipe}\n`, { mode: 0o755 })
      const savedPath = process.env.PATH
      process.env.PATH = `${bin.dir}${path.delimiter}${savedPath}`
      const dir = `${folder.dir}/bad-compressor-${fault.name.split(' ')[0]}`
      try {
        await assert.rejects(createBackup({ url: db.url, dir }), (e: unknown) => e instanceof DatabaseError && e.reason === 'DUMP_FAILED' && fault.error.test(e.message))
      } finally {
        process.env.PATH = savedPath
        bin.cleanup()
      }
      assert.deepEqual(await readdir(dir), [])
    })
  }

  it('fails verification of a truncated file', async () => {
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/truncated` })
    await truncate(made.path, Math.floor(made.manifest.sizeBytes / 2))
    const result = await verifyBackup({ backup: made.manifestPath, level: 'quick' })
    assert.equal(result.ok, false)
    assert.ok(result.problems.length > 0)
  })

  it('refuses a manifest changed after it was written (a table checksum, the file hash), and lists it as invalid', async () => {
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/manifest` })
    const m = await readManifest(made.manifestPath)
    m.tables.find((t) => t.name === 'orders')!.checksum! += 1
    await writeFile(made.manifestPath, JSON.stringify(m, null, 2) + '\n')
    const refused = (e: unknown) => e instanceof DatabaseError && e.reason === 'INVALID_BACKUP' && e.message.includes(made.manifestPath) && /does not match what was recorded/.test(e.message)
    await assert.rejects(verifyBackup({ backup: made.manifestPath, level: 'quick' }), refused)
    await assert.rejects(verifyBackup({ backup: made.manifestPath, level: 'full', url: db.url }), refused)
    const [listed] = await listBackups(`${folder.dir}/manifest`)
    assert.equal(listed!.status, 'invalid')
    assert.match(listed!.problems[0]!, /does not match what was recorded/)

    const other = await createBackup({ url: db.url, dir: `${folder.dir}/manifest2` })
    const m2 = await readManifest(other.manifestPath)
    m2.sha256 = '0'.repeat(64)
    await writeFile(other.manifestPath, JSON.stringify(m2))
    await assert.rejects(verifyBackup({ backup: other.manifestPath, level: 'quick' }), (e: unknown) => e instanceof DatabaseError && e.reason === 'INVALID_BACKUP' && e.message.includes(other.manifestPath))
  })

  it('still verifies a backup from before manifests were sealed, and leaves it unsealed', async () => {
    const made = await createBackup({ url: db.url, dir: `${folder.dir}/unsealed` })
    await rm(made.manifestPath.replace('.manifest.json', '.seal.json'))
    const quick = await verifyBackup({ backup: made.manifestPath, level: 'quick' })
    assert.equal(quick.ok, true, quick.problems.join('; '))
    assert.equal(existsSync(made.manifestPath.replace('.manifest.json', '.seal.json')), false)
  })

  it('gives two backups in the same second different ids', async () => {
    const dir = `${folder.dir}/same-second`
    const now = () => new Date('2026-03-04T05:06:07Z')
    const a = await createBackup({ url: db.url, dir, now })
    const b = await createBackup({ url: db.url, dir, now, suffix: 'Before Migrate' })
    const c = await createBackup({ url: db.url, dir, now })
    assert.deepEqual([a.id, b.id, c.id], ['backup_20260304_050607', 'backup_20260304_050607_before-migrate', 'backup_20260304_050607_2'])
    assert.equal((await readdir(dir)).filter((n) => n.endsWith('.partial')).length, 0)
  })
})
