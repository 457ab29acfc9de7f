import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import { checksums, connect, createFixture, createTestDatabase, tempDir } from './support.js'

describe('encryption at rest (AES-256-GCM, key from an environment variable)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  const env = { ROLLOUT_TEST_BACKUP_KEY: randomBytes(32).toString('hex') }

  before(async () => {
    db = await createTestDatabase('enc')
    folder = tempDir()
    const conn = await connect(db.url)
    await createFixture(conn, { rows: 40 })
    await conn.end()
  })
  after(async () => {
    await db.drop()
    folder.cleanup()
  })

  it('round-trips: encrypted file, both verifications and a restore with the key', async () => {
    const backup = await createBackup({ url: db.url, dir: folder.dir, encryptionKeyEnv: 'ROLLOUT_TEST_BACKUP_KEY', env, compression: 'gzip' })
    assert.match(backup.path, /\.sql\.gz\.enc$/)
    assert.equal(backup.manifest.encryption?.algorithm, 'aes-256-gcm')
    assert.equal(backup.manifest.encryption?.keyEnv, 'ROLLOUT_TEST_BACKUP_KEY')
    // One encrypted stream cannot be entered part-way: no frames are offered to seek to.
    assert.equal(backup.manifest.layout.frames, undefined)
    const bytes = await readFile(backup.path)
    assert.equal(bytes.subarray(0, 8).toString(), 'RLBKGCM1')
    assert.throws(() => gunzipSync(bytes.subarray(20)), 'the compressed dump is not readable without the key')
    assert.ok(!bytes.includes(Buffer.from(env.ROLLOUT_TEST_BACKUP_KEY)))
    assert.ok(!JSON.stringify(backup.manifest).includes(env.ROLLOUT_TEST_BACKUP_KEY))

    assert.equal((await verifyBackup({ backup: backup.manifestPath, level: 'quick', env })).ok, true)
    const full = await verifyBackup({ backup: backup.manifestPath, level: 'full', url: db.url, env })
    assert.equal(full.ok, true, full.problems.join('; '))

    const conn = await connect(db.url)
    const before = await checksums(conn, db.name)
    await conn.query('DELETE FROM order_items; DROP TABLE blobs')
    const report = await restoreBackup({ url: db.url, backup: backup.manifestPath, env })
    assert.deepEqual(report.tables.replayed.sort(), ['blobs', 'order_items'])
    assert.deepEqual(await checksums(conn, db.name), before)
    await conn.end()
  })

  it('says so when the key is missing or is another one, without marking the backup invalid', async () => {
    const backup = await createBackup({ url: db.url, dir: folder.dir, encryptionKeyEnv: 'ROLLOUT_TEST_BACKUP_KEY', env, suffix: 'keys' })
    await assert.rejects(verifyBackup({ backup: backup.manifestPath, level: 'quick', env: {} }), (e: unknown) => e instanceof DatabaseError && e.reason === 'KEY' && /ROLLOUT_TEST_BACKUP_KEY/.test(e.message))
    const other = { ROLLOUT_TEST_BACKUP_KEY: randomBytes(32).toString('base64') }
    await assert.rejects(restoreBackup({ url: db.url, backup: backup.manifestPath, env: other }), (e: unknown) => e instanceof DatabaseError && e.reason === 'KEY' && /not the one/.test(e.message))
    await assert.rejects(
      createBackup({ url: db.url, dir: folder.dir, encryptionKeyEnv: 'ROLLOUT_TEST_BACKUP_KEY', env: { ROLLOUT_TEST_BACKUP_KEY: 'too-short' } }),
      (e: unknown) => e instanceof DatabaseError && e.reason === 'KEY' && !e.message.includes('too-short'),
    )
    assert.equal((await verifyBackup({ backup: backup.manifestPath, level: 'quick', env })).ok, true)
  })

  it('authenticates the manifest with the key: a manifest rewritten with a matching hash is still refused', async () => {
    const backup = await createBackup({ url: db.url, dir: folder.dir, encryptionKeyEnv: 'ROLLOUT_TEST_BACKUP_KEY', env, suffix: 'sealed' })
    const sealPath = backup.manifestPath.replace('.manifest.json', '.seal.json')
    const seal = JSON.parse(await readFile(sealPath, 'utf8'))
    assert.equal(seal.hmac.keyEnv, 'ROLLOUT_TEST_BACKUP_KEY')
    assert.ok(!JSON.stringify(seal).includes(env.ROLLOUT_TEST_BACKUP_KEY))
    // A forger without the key: changes a checksum and records the new hash, but cannot make the HMAC.
    const m = JSON.parse(await readFile(backup.manifestPath, 'utf8'))
    m.tables[0].checksum += 1
    const text = JSON.stringify(m, null, 2) + '\n'
    await writeFile(backup.manifestPath, text)
    await writeFile(sealPath, JSON.stringify({ ...seal, sha256: createHash('sha256').update(text).digest('hex') }))
    const conn = await connect(db.url)
    const before = await checksums(conn, db.name)
    await conn.query('DELETE FROM orders WHERE id = 1')
    const changed = await checksums(conn, db.name)
    await assert.rejects(
      restoreBackup({ url: db.url, backup: backup.manifestPath, env }),
      (e: unknown) => e instanceof DatabaseError && e.reason === 'INVALID_BACKUP' && e.message.includes(backup.manifestPath) && /HMAC does not authenticate/.test(e.message),
    )
    assert.deepEqual(await checksums(conn, db.name), changed, 'nothing was restored')
    assert.notDeepEqual(changed, before)
    await conn.end()
  })
})
