import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { manifestSummary } from './summary.js'
import { verificationDetail } from '../../shared/format.js'
import { backupSettings, stepIo } from './settings.js'
import { verifyAndPrune } from './take-backup.js'

export const backupVerifyOptions = z.strictObject({
  level: z.enum(['quick', 'full']).optional().describe('quick or full; default: the environment\'s backups.verify.'),
  backupStep: z.string().default('backup').describe('Id of the step whose backup to verify; without one (or when it made none), the newest backup.'),
  prune: z.boolean().default(true).describe('Apply retention (backups.keep / backups.keepDays) once the backup has passed.'),
})
export type BackupVerifyOptions = z.output<typeof backupVerifyOptions>

/**
 * The backup's integrity check, made strict: quick checks the file, its trailer
 * and every table against the manifest; full restores it into a scratch schema and compares
 * checksums. A failed verification marks the backup invalid: it is never offered for restore.
 */
export default defineStepKind<BackupVerifyOptions>({
  kind: 'backup-verify',
  description: 'verifies a backup (quick: file, trailer, tables; full: trial restore and checksums)',
  options: backupVerifyOptions,
  async run(ctx) {
    const settings = backupSettings(ctx)
    const level = ctx.options.level ?? settings.verify
    const made = ctx.outputs.get(ctx.options.backupStep)
    const { listBackups } = await import('../../adapters/database/catalog.js')
    let ref = typeof made?.manifestPath === 'string' ? made.manifestPath : undefined
    if (!ref) {
      const newest = (await listBackups(settings.dir, Date.now(), ctx.env))[0]
      if (!newest) return { status: 'failed', summary: `no backup to verify: step "${ctx.options.backupStep}" made none and ${settings.dir} is empty` }
      ctx.log(`step "${ctx.options.backupStep}" made no backup in this run; verifying the newest one, ${newest.id}`)
      ref = newest.manifestPath
    }
    const { verification: outcome, retention } = await verifyAndPrune(settings, ref, level, stepIo(ctx), ctx.options.prune)
    await ctx.writeEvidence('manifest-summary.json', JSON.stringify(manifestSummary(outcome.manifest), null, 2), 'verified backup manifest summary')
    const data: Record<string, unknown> = { id: outcome.id, manifestPath: outcome.manifestPath, level, ok: outcome.ok, problems: outcome.problems, durationMs: outcome.durationMs }
    if (!outcome.ok) {
      return { status: 'failed', summary: `${outcome.id} failed ${level} verification: ${outcome.problems.slice(0, 3).join('; ')}`, data }
    }
    if (retention) {
      if (retention.deleted.length) ctx.log(`retention (${retention.policy}): deleted ${retention.deleted.join(', ')}`)
      data.pruned = retention.deleted
    }
    const detail = verificationDetail(outcome, outcome.manifest.tables.length)
    return { status: 'passed', summary: `${outcome.id} passed ${level} verification (${detail}) in ${(outcome.durationMs / 1000).toFixed(1)} s`, data }
  },
})
