import { displayLocation } from '../../adapters/storage/location.js'
import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { backupData, manifestSummary } from './summary.js'
import { backupSettings, stepIo } from './settings.js'
import { mb } from '../../shared/format.js'
import { takeBackup } from './take-backup.js'

export const backupOptions = z.strictObject({
  suffix: z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and dashes').optional().describe('Appended to the backup\'s id: backup_YYYYMMDD_HHMMSS_<suffix>.'),
})
export type BackupOptions = z.output<typeof backupOptions>

/**
 * The backup taken before anything changes: one consistent dump of the target
 * database with its manifest. Its data names the backup, so the migrate step's undo can restore it.
 */
export default defineStepKind<BackupOptions>({
  kind: 'backup',
  description: 'one consistent, checksummed dump of the target database, owner-only, with a manifest',
  options: backupOptions,
  async run(ctx) {
    const settings = backupSettings(ctx)
    const created = await takeBackup(settings, stepIo(ctx), ctx.options.suffix)
    const data = backupData(created.manifest, { path: created.path, manifestPath: created.manifestPath, dir: settings.dir })
    // Recorded at once: a crash in a later step must still find the backup to restore.
    await ctx.checkpoint(data)
    await ctx.writeEvidence('manifest-summary.json', JSON.stringify(manifestSummary(created.manifest), null, 2), 'backup manifest summary')
    const m = created.manifest
    return {
      status: 'passed',
      summary: `${m.id}: ${m.tables.length} tables, ${mb(m.sizeBytes)} (${mb(m.dumpBytes)} dump) in ${(m.durationMs / 1000).toFixed(1)} s → ${displayLocation(created.path, ctx.cwd)}`,
      data,
    }
  },
})
