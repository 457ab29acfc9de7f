import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import backup from '../../../src/steps/backup/backup.js'
import backupVerify from '../../../src/steps/backup/backup-verify.js'
import backupFreshness from '../../../src/steps/backup/backup-freshness.js'
import { restoreRecordedBackup } from '../../../src/adapters/database/restore.js'
import { writeManifest } from '../../../src/adapters/database/manifest.js'
import { ConfigError } from '../../../src/shared/errors.js'
import { environmentSchema } from '../../../src/config/schema.js'
import { formatIssues } from '../../../src/config/issues.js'
import { createTestDatabase } from '../../support/mysql.js'
import { stepContext, tempProject } from './harness.js'

describe('backup step kinds', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let project: ReturnType<typeof tempProject>
  let environment: Record<string, unknown>

  before(async () => {
    db = await createTestDatabase('stp')
    project = tempProject()
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
    await conn.query("CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2)); INSERT INTO orders VALUES (1, 9.99), (2, 20.00); CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)")
    await conn.end()
    environment = { database: { url: db.url }, backups: { dir: 'backups', verify: 'full', keep: 1, maxAge: '24h' } }
  })
  after(async () => {
    await db.drop()
    project.cleanup()
  })

  it('backup-freshness fails when there is no verified backup', async () => {
    const h = stepContext(backupFreshness, { cwd: project.dir, environment })
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, new RegExp(`no verified backup of ${db.name}`))
    assert.equal(h.readEvidence('backups.txt'), '(no backups)\n')
  })

  let made: Record<string, unknown>
  it('backup makes one in backups.dir (relative to the config) and records where it is', async () => {
    const h = stepContext(backup, { cwd: project.dir, environment, options: { suffix: 'pre-migrate' } })
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    made = outcome.data!
    assert.match(String(made.id), /^backup_\d{8}_\d{6}_pre-migrate$/)
    assert.equal(made.dir, path.join(project.dir, 'backups'))
    assert.ok(existsSync(String(made.path)) && existsSync(String(made.manifestPath)))
    assert.deepEqual(h.checkpoints, [made], 'checkpointed before the step ends, for an undo after a crash')
    assert.match(outcome.summary, /2 tables/)
    const summary = JSON.parse(h.readEvidence('manifest-summary.json'))
    assert.deepEqual(summary.tables.map((t: { name: string; rows: number }) => [t.name, t.rows]), [['notes', 0], ['orders', 2]])
    assert.equal(summary.status, 'unverified')
  })

  it('backup-verify verifies the run\'s backup at the environment\'s level and applies retention', async () => {
    // An older backup that retention (keep: 1) removes once the new one has passed.
    const older = stepContext(backup, { cwd: project.dir, environment, options: { suffix: 'older' } })
    const olderOutcome = await older.run()
    const manifest = JSON.parse(readFileSync(String(olderOutcome.data!.manifestPath), 'utf8'))
    manifest.createdAt = '2026-01-01T00:00:00.000Z'
    // Backdated the way rollout writes manifests, seal included.
    await writeManifest(String(olderOutcome.data!.manifestPath), manifest)

    const h = stepContext(backupVerify, { cwd: project.dir, environment, outputs: { backup: made } })
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.match(outcome.summary, /passed full verification \(restored into a scratch schema, 2 table checksums equal the manifest\)/)
    assert.deepEqual(outcome.data!.pruned, [olderOutcome.data!.id])
    assert.deepEqual(readdirSync(path.join(project.dir, 'backups')).sort(), [`${made.id}.manifest.json`, `${made.id}.seal.json`, path.basename(String(made.path))].sort())
    assert.equal(JSON.parse(h.readEvidence('manifest-summary.json')).verified, 'full')
  })

  it('backup-freshness passes with a fresh verified backup, and fails when it is older than maxAge', async () => {
    const fresh = await stepContext(backupFreshness, { cwd: project.dir, environment }).run()
    assert.equal(fresh.status, 'passed', fresh.summary)
    assert.match(fresh.summary, new RegExp(`newest verified backup ${made.id} is 0 min old \\(limit 24 h 0 min\\)`))
    const strict = await stepContext(backupFreshness, { cwd: project.dir, environment, options: { maxAge: '1ms' } }).run()
    assert.equal(strict.status, 'failed')
    assert.match(strict.summary, /older than/)
  })

  it('the migrate step\'s undo restores the backup this run recorded', async () => {
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
    await conn.query('ALTER TABLE orders ADD COLUMN paid TINYINT; CREATE TABLE added (id INT)')
    const result = await restoreRecordedBackup({ url: db.url, backup: made })
    const [cols] = await conn.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'orders'", [db.name])
    await conn.end()
    assert.match(result.summary, /0 tables replayed, 1 reverted by ALTER TABLE, 1 dropped, 1 unchanged; every table's checksum equals the backup's/)
    assert.equal((cols as { n: number }[])[0]!.n, 2)
  })

  it('backup-verify fails for a changed backup file', async () => {
    const bytes = readFileSync(String(made.path))
    bytes[bytes.length - 5]! ^= 1
    writeFileSync(String(made.path), bytes)
    const outcome = await stepContext(backupVerify, { cwd: project.dir, environment, options: { level: 'quick' }, outputs: { backup: made } }).run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /failed quick verification: .*SHA-256/)
  })

  it('names the exact key of a bad setting', async () => {
    const bad = { ...environment, backups: { dir: 'backups', encryptionKeyEnv: 'not a name' } }
    // The section is checked when the config is loaded, before any step: the key is named there.
    const parsed = environmentSchema.safeParse({ ...bad, url: 'https://s.example' })
    assert.ok(!parsed.success)
    assert.match(formatIssues(parsed.error.issues, ['environments', 'staging'], environmentSchema), /environments\.staging\.backups\.encryptionKeyEnv: expected an environment variable name/)
    const saved = process.env.DATABASE_URL
    delete process.env.DATABASE_URL
    try {
      await assert.rejects(stepContext(backup, { cwd: project.dir, environment: { backups: {} } }).run(), (e: unknown) => e instanceof ConfigError && /environments\.staging\.database\.url/.test(e.message))
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved
    }
  })
})
