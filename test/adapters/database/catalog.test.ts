import { after, describe, it } from 'node:test'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import assert from 'node:assert/strict'
import { readdir, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { findBackup, listBackups, newestVerified, pruneBackups } from '../../../src/adapters/database/catalog.js'
import type { BackupManifest, VerificationResult } from '../../../src/adapters/database/manifest.js'
import { DatabaseError } from '../../../src/adapters/database/errors.js'
import { sweepPartials } from '../../../src/adapters/database/partials.js'
import { tempDir } from './support.js'

const DAY = 86_400_000
const NOW = Date.parse('2026-06-15T12:00:00Z')

/** A catalog is files only: these manifests are written the way createBackup writes them. */
async function put(dir: string, id: string, daysAgo: number, verifications: Pick<VerificationResult, 'level' | 'ok'>[]): Promise<void> {
  const manifest = {
    format: 1,
    id,
    file: `${id}.sql.zst`,
    database: 'terp_staging',
    createdAt: new Date(NOW - daysAgo * DAY).toISOString(),
    sizeBytes: 1000 + Math.round(daysAgo),
    tables: [],
    verifications: verifications.map((v) => ({ ...v, at: new Date(NOW).toISOString(), durationMs: 1, problems: v.ok ? [] : ['broken'] })),
    encryption: null,
    layout: { header: { start: 0, end: 0 }, footer: { start: 0, end: 0 }, sections: [] },
  } as unknown as BackupManifest
  await writeFile(path.join(dir, `${id}.manifest.json`), JSON.stringify(manifest), { mode: 0o600 })
  // Of the size the manifest records: a file of another size is listed as invalid.
  await writeFile(path.join(dir, `${id}.sql.zst`), 'x'.repeat(1000 + Math.round(daysAgo)), { mode: 0o600 })
}

describe('backup catalog and retention', () => {
  const folder = tempDir()
  after(() => folder.cleanup())

  it('lists newest first with status, verification level and age; "latest" is the newest verified', async () => {
    const dir = path.join(folder.dir, 'list')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir))
    await put(dir, 'backup_20260615_110000', 1 / 24, [])
    await put(dir, 'backup_20260614_120000', 1, [{ level: 'quick', ok: true }, { level: 'full', ok: true }])
    await put(dir, 'backup_20260613_120000', 2, [{ level: 'quick', ok: true }, { level: 'full', ok: false }])
    await writeFile(path.join(dir, 'backup_20260612_120000.manifest.json'), '{ not json')
    await utimes(path.join(dir, 'backup_20260612_120000.manifest.json'), new Date(NOW - 3 * DAY), new Date(NOW - 3 * DAY))
    const all = await listBackups(dir, NOW)
    assert.deepEqual(
      all.map((b) => [b.id, b.status, b.verified]),
      [
        ['backup_20260615_110000', 'unverified', null],
        ['backup_20260614_120000', 'verified', 'full'],
        ['backup_20260613_120000', 'invalid', null],
        ['backup_20260612_120000', 'invalid', null],
      ],
    )
    assert.equal(all[0]!.ageMs, DAY / 24)
    assert.match(all[3]!.problems[0]!, /not valid JSON/)
    assert.equal((await newestVerified(dir, { now: NOW }))!.id, 'backup_20260614_120000')
    assert.equal((await findBackup('latest', dir)).manifest.id, 'backup_20260614_120000')
    assert.equal((await findBackup('backup_20260613_120000', dir)).manifest.id, 'backup_20260613_120000')
    assert.equal((await findBackup(path.join(dir, 'backup_20260613_120000.sql.zst'))).manifest.id, 'backup_20260613_120000')
    await assert.rejects(findBackup('backup_19990101_000000', dir), (e: unknown) => e instanceof DatabaseError && e.reason === 'NOT_FOUND' && /newest backups: backup_20260615_110000/.test(e.hint ?? ''))
  })

  it('keeps at most N and drops old ones, but never the newest verified backup', async () => {
    const dir = path.join(folder.dir, 'prune')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir))
    await put(dir, 'backup_a_newest_unverified', 0.1, [])
    await put(dir, 'backup_b_failed', 0.2, [{ level: 'quick', ok: false }])
    await put(dir, 'backup_c_verified_old', 20, [{ level: 'quick', ok: true }])
    await put(dir, 'backup_d_verified_older', 30, [{ level: 'quick', ok: true }])
    await writeFile(path.join(dir, 'backup_x.sql.zst.partial'), 'half')
    await utimes(path.join(dir, 'backup_x.sql.zst.partial'), new Date(NOW - 2 * DAY), new Date(NOW - 2 * DAY))

    const dry = await pruneBackups(dir, { keep: 1, now: NOW, dryRun: true })
    assert.deepEqual(dry.deleted.sort(), ['backup_b_failed', 'backup_d_verified_older'])
    assert.equal((await readdir(dir)).length, 9)

    const result = await pruneBackups(dir, { keep: 1, maxAgeDays: 7, now: NOW })
    assert.deepEqual(result.kept.sort(), ['backup_a_newest_unverified', 'backup_c_verified_old'])
    assert.deepEqual((await readdir(dir)).sort(), [
      'backup_a_newest_unverified.manifest.json',
      'backup_a_newest_unverified.sql.zst',
      'backup_c_verified_old.manifest.json',
      'backup_c_verified_old.sql.zst',
    ])
    // Everything is old now: the newest verified one still stays.
    const later = await pruneBackups(dir, { maxAgeDays: 1, now: NOW + 60 * DAY })
    assert.deepEqual(later.kept, ['backup_c_verified_old'])
  })

  it('sweeps the partial files whose writer is gone, never one a live process is writing', async () => {
    const dir = path.join(folder.dir, 'sweep')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir))
    const live = spawn('sleep', ['30'], { stdio: 'ignore' })
    const gone = spawn('true', [], { stdio: 'ignore' })
    await once(gone, 'exit')
    try {
      await writeFile(path.join(dir, `backup_live.sql.zst.${live.pid}.partial`), 'being written')
      await writeFile(path.join(dir, `backup_dead.sql.zst.${gone.pid}.partial`), 'half')
      await writeFile(path.join(dir, 'backup_old_style.sql.zst.partial'), 'writer unknown')
      assert.deepEqual(await sweepPartials(dir), [`backup_dead.sql.zst.${gone.pid}.partial`])
      assert.deepEqual((await readdir(dir)).sort(), ['backup_live.sql.zst.' + live.pid + '.partial', 'backup_old_style.sql.zst.partial'])
    } finally {
      live.kill()
    }
  })
})
