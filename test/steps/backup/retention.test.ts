import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { applyRetention } from '../../../src/steps/backup/retention.js'
import { writeManifest } from '../../../src/adapters/database/manifest.js'
import { createTestDatabase } from '../../support/mysql.js'
import { tempProject } from './harness.js'

/** Makes a backup look `days` old, written (and sealed) the way rollout writes manifests. */
async function backdate(manifestPath: string, days: number): Promise<void> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  manifest.createdAt = new Date(Date.now() - days * 86_400_000).toISOString()
  await writeManifest(manifestPath, manifest)
}

test('retention deletes beyond keep and keepDays, but never the newest verified backup', async (t) => {
  const db = await createTestDatabase('ret')
  const project = tempProject()
  t.after(async () => {
    project.cleanup()
    await db.drop()
  })
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(db.url)
  await conn.query('CREATE TABLE t (id INT PRIMARY KEY)')
  await conn.end()
  const dir = path.join(project.dir, 'backups')

  const oldest = await createBackup({ url: db.url, dir, suffix: 'oldest' })
  const verified = await createBackup({ url: db.url, dir, suffix: 'verified' })
  assert.equal((await verifyBackup({ backup: verified.manifestPath, level: 'quick' })).ok, true)
  // The newest was never verified: its run stopped before backup-verify.
  const newest = await createBackup({ url: db.url, dir, suffix: 'newest' })
  await backdate(oldest.manifestPath, 10)
  await backdate(verified.manifestPath, 5)

  assert.equal(await applyRetention({ dir }, process.env), null, 'no policy, nothing deleted')
  const outcome = await applyRetention({ dir, keep: 1, keepDays: 1 }, process.env)
  assert.deepEqual(outcome, { policy: 'keep 1, keepDays 1', deleted: [oldest.id], kept: [newest.id, verified.id] })
  assert.deepEqual(readdirSync(dir).map((n) => n.split('.')[0]).sort(), [newest.id, newest.id, newest.id, verified.id, verified.id, verified.id].sort())
})
