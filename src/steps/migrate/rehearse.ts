import { z } from 'zod'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { HISTORY_TABLES, rehearsedCommands, rehearseMode, verifiedBackup } from './rehearse-settings.js'

export const rehearseOptions = z.strictObject({
  mode: z.union([z.enum(['schema', 'data']), z.literal(false)]).optional().describe('schema, data or false; default: the environment\'s migrate.rehearse, else schema.'),
  migrateStep: z.string().default('migrate').describe('Id of the migrate step whose command (and cwd, env, failOn) is rehearsed.'),
  verifyStep: z.string().default('schema-verify').describe('Id of the schema-verify step whose validation command and expectations are checked on the migrated copy.'),
  backupStep: z.string().default('backup').describe('Id of the step whose backup is copied.'),
  backupVerifyStep: z.string().default('backup-verify').describe('Id of the step that must have verified that backup in this run.'),
  historyTables: z
    .array(z.string().min(1))
    .default([...HISTORY_TABLES])
    .describe('Tables whose rows a schema-only copy keeps: where migration tools record what they applied (Drizzle, Prisma, Knex, Rails, Flyway, Liquibase, Laravel, Django…); without them a tool would apply every migration again.'),
})
export type RehearseOptions = z.output<typeof rehearseOptions>

/**
 * The migration, rehearsed before the point of no return on a scratch copy of this run's verified
 * backup (src/steps/migrate/rehearse-run.ts). It changes nothing in the environment: the scratch
 * database is its own, dropped afterwards. Without a backup, or without the privilege to create
 * the scratch database, it says it did not rehearse: never "passed".
 */
export default defineStepKind<RehearseOptions>({
  kind: 'rehearse',
  description: 'runs the migration (and the schema validation) first on a scratch copy of the run\'s verified backup; records the schema diff it would make; fails when the migration fails there',
  options: rehearseOptions,
  async run(ctx): Promise<StepOutcome> {
    const { mode, explicit } = rehearseMode(ctx.options.mode, ctx.environment.migrate as Record<string, unknown>)
    if (mode === false) return { status: 'skipped', summary: 'rehearsal switched off (migrate.rehearse: false)' }
    const url = ctx.environment.database?.url
    if (!url) return { status: 'skipped', summary: `no database to rehearse on (environments.${ctx.environmentName}.database.url)` }
    ctx.redactor.addUrl(url)
    const backup = verifiedBackup(ctx.outputs.get(ctx.options.backupStep), ctx.outputs.get(ctx.options.backupVerifyStep), { backup: ctx.options.backupStep, verify: ctx.options.backupVerifyStep })
    if ('missing' in backup) {
      // Asked for in the config, a rehearsal that cannot happen is a warning; by default it is simply off.
      return explicit
        ? { status: 'warning', summary: `rehearsal skipped: ${backup.missing}; the migration was not rehearsed` }
        : { status: 'skipped', summary: `${backup.missing}: no copy to rehearse the migration on` }
    }
    const commands = rehearsedCommands(ctx.planSteps ?? [], { migrate: ctx.options.migrateStep, verify: ctx.options.verifyStep }, ctx.environment.migrate)
    const { rehearse } = await import('./rehearse-run.js')
    return rehearse(ctx, { url, mode, backup, commands, historyTables: ctx.options.historyTables })
  },
})
