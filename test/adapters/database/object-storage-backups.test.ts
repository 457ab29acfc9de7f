import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { listBackups, pruneBackups } from '../../../src/adapters/database/catalog.js'
import { openStorage } from '../../../src/adapters/storage/open-storage.js'
import { startTestS3 } from '../../support/s3.js'
import { checksums, connect, createFixture, createTestDatabase } from './support.js'

// Backups kept in S3-compatible storage: written, verified, listed, restored and pruned there,
// with no copy on this machine's disk.
describe('backups in object storage', () => {
  let s3: Awaited<ReturnType<typeof startTestS3>>
  before(async () => {
    s3 = await startTestS3()
  })
  after(() => s3?.stop())

  it('a backup over 100 MB goes up as a multipart upload, passes full verification from storage, and restores byte for byte', async (t) => {
    const db = await createTestDatabase('s3big')
    t.after(() => db.drop())
    const conn = await connect(db.url)
    t.after(() => conn.end())
    // Random bytes do not compress: 112 MiB of rows make a backup file over 100 MB.
    await conn.query('CREATE TABLE blobs (id INT PRIMARY KEY, body MEDIUMBLOB NOT NULL)')
    for (let id = 0; id < 112; id++) await conn.query('INSERT INTO blobs VALUES (?, ?)', [id, randomBytes(1 << 20)])
    const before = await checksums(conn, db.name)
    const dir = `s3://${s3.bucket}/big`

    const made = await createBackup({ url: db.url, dir, env: s3.env, compression: 'zstd' })
    assert.ok(made.manifest.sizeBytes > 100_000_000, `backup file is ${made.manifest.sizeBytes} bytes`)
    assert.equal(made.path, `${dir}/${made.manifest.file}`)
    // The file went up in parts (UploadPart: PUT ?partNumber=N&uploadId=…), never whole.
    const key = `/${s3.bucket}/big/${made.manifest.file}`
    const parts = s3.requests.filter((r) => r.startsWith(`PUT ${key}?`) && /[?&]partNumber=\d+/.test(r)).length
    assert.ok(parts >= 2, `${parts} parts uploaded for ${key}`)
    assert.equal((await openStorage(dir, s3.env).stat(made.manifest.file))?.size, made.manifest.sizeBytes)
    t.diagnostic(`${(made.manifest.sizeBytes / 1048576).toFixed(1)} MiB in ${parts} parts; backup took ${made.manifest.durationMs} ms`)

    const verified = await verifyBackup({ backup: made.manifestPath, level: 'full', url: db.url, env: s3.env })
    assert.deepEqual(verified.problems, [])
    assert.equal(verified.ok, true)

    await conn.query('UPDATE blobs SET body = ? WHERE id = 7', [randomBytes(16)])
    await conn.query('DELETE FROM blobs WHERE id > 100')
    const report = await restoreBackup({ url: db.url, backup: 'latest', dir, env: s3.env })
    assert.equal(report.proof.ok, true, report.proof.problems.join('; '))
    assert.deepEqual(await checksums(conn, db.name), before)
  })

  it('the catalog lists, finds and prunes in storage as in a folder: file, manifest and seal go together; the newest verified one stays', async (t) => {
    const db = await createTestDatabase('s3cat')
    t.after(() => db.drop())
    const conn = await connect(db.url)
    await createFixture(conn, { rows: 20 })
    await conn.end()
    const dir = `s3://${s3.bucket}/catalog`
    const first = await createBackup({ url: db.url, dir, env: s3.env, suffix: 'first', now: () => new Date(Date.now() - 60_000) })
    const second = await createBackup({ url: db.url, dir, env: s3.env, suffix: 'second' })
    await verifyBackup({ backup: second.manifestPath, level: 'quick', env: s3.env })

    const listed = await listBackups(dir, Date.now(), s3.env)
    assert.deepEqual(listed.map((b) => [b.id, b.status]), [[second.id, 'verified'], [first.id, 'unverified']])

    // A file cut short in storage is seen as such by the listing, as on disk.
    const storage = openStorage(dir, s3.env)
    await storage.writeText(first.manifest.file, 'cut short')
    const [, damaged] = await listBackups(dir, Date.now(), s3.env)
    assert.equal(damaged!.status, 'invalid')
    assert.match(damaged!.problems.join(' '), /backup file is 9 bytes, the manifest says \d+/)

    const pruned = await pruneBackups(dir, { keep: 1, env: s3.env })
    assert.deepEqual(pruned.deleted, [first.id])
    const left = await storage.list()
    assert.deepEqual(left.filter((n) => n.startsWith(first.id)), [], 'file, manifest and seal of the pruned backup are gone')
    assert.deepEqual(left.filter((n) => n.startsWith(second.id)).sort(), [second.manifest.file, `${second.id}.manifest.json`, `${second.id}.seal.json`].sort())
  })
})
