import { z } from 'zod'
import { duration } from '../../config/schema.js'
import { defineStepKind } from '../../engine/step-kind.js'
import { backupSettings } from './settings.js'
import { age } from '../../shared/format.js'

export const backupFreshnessOptions = z.strictObject({
  maxAge: duration.optional().describe('Overrides the environment\'s backups.maxAge.'),
})
export type BackupFreshnessOptions = z.output<typeof backupFreshnessOptions>

/** The newest backup must be younger than backups.maxAge (a day by default): only verified backups count. */
export default defineStepKind<BackupFreshnessOptions>({
  kind: 'backup-freshness',
  description: 'passes when the newest verified backup of the database is younger than backups.maxAge',
  options: backupFreshnessOptions,
  async run(ctx) {
    const settings = backupSettings(ctx)
    const maxAgeMs = ctx.options.maxAge ?? settings.maxAgeMs
    const { listBackups } = await import('../../adapters/database/catalog.js')
    const { parseMysqlUrl } = await import('../../adapters/database/url.js')
    const database = parseMysqlUrl(settings.url).database
    const all = (await listBackups(settings.dir, Date.now(), ctx.env)).filter((b) => !database || b.database === database || b.status === 'invalid')
    const newest = all.find((b) => b.status === 'verified')
    const listing = all.map((b) => `${b.id}\t${b.createdAt}\t${b.status}${b.verified ? ` (${b.verified})` : ''}\t${b.sizeBytes} bytes`).join('\n')
    await ctx.writeEvidence('backups.txt', listing ? `${listing}\n` : '(no backups)\n', 'backups in the catalog')
    const data = { newest: newest?.id ?? null, ageMs: newest?.ageMs ?? null, maxAgeMs, backups: all.length }
    if (!newest) {
      const unverified = all.length ? ` (${all.length} backup${all.length === 1 ? '' : 's'}, none verified)` : ''
      return { status: 'failed', summary: `no verified backup of ${database || 'the database'} in ${settings.dir}${unverified}`, data }
    }
    if (newest.ageMs > maxAgeMs) {
      return { status: 'failed', summary: `newest verified backup ${newest.id} is ${age(newest.ageMs)} old, older than ${age(maxAgeMs)}`, data }
    }
    return { status: 'passed', summary: `newest verified backup ${newest.id} is ${age(newest.ageMs)} old (limit ${age(maxAgeMs)})`, data }
  },
})
