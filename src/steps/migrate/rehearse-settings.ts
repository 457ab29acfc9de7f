/**
 * What the rehearsal works from, read from the run: its mode and the backup to copy. Pure: the
 * step passes in the environment's section and the backup steps' recorded data.
 */

export type RehearseMode = 'schema' | 'data'

/**
 * Where migration tools record the migrations they applied. A schema-only copy keeps these rows:
 * a tool that found its history empty would apply every migration again and fail on the first
 * table that already exists.
 */
export const HISTORY_TABLES = [
  '__drizzle_migrations', '_prisma_migrations', 'knex_migrations', 'knex_migrations_lock', 'schema_migrations', 'ar_internal_metadata',
  'flyway_schema_history', 'DATABASECHANGELOG', 'DATABASECHANGELOGLOCK', 'migrations', 'SequelizeMeta', 'doctrine_migration_versions',
  'django_migrations', 'goose_db_version', 'kysely_migration', 'kysely_migration_lock', 'mikro_orm_migrations', 'alembic_version',
] as const

export interface ModeSetting {
  mode: RehearseMode | false
  /** true when the config asked for it: without a backup that is a warning, not a quiet skip. */
  explicit: boolean
}

/** The step's own option wins, then migrate.rehearse; unset means schema, on when a backup allows. */
export function rehearseMode(option: RehearseMode | false | undefined, section: Record<string, unknown>): ModeSetting {
  const value = option ?? section.rehearse
  if (value === 'schema' || value === 'data' || value === false) return { mode: value, explicit: true }
  return { mode: 'schema', explicit: false }
}

export type BackupChoice = { manifestPath: string; id: string } | { missing: string }

/**
 * The backup this run took and verified. Only that one: an older backup's schema may differ from
 * what the migration will meet, and a rehearsal on it would prove nothing about this run.
 */
export function verifiedBackup(backup: Record<string, unknown> | undefined, verify: Record<string, unknown> | undefined, ids: { backup: string; verify: string }): BackupChoice {
  if (typeof backup?.manifestPath !== 'string') return { missing: `no backup was taken in this run (step "${ids.backup}")` }
  if (verify?.ok !== true) return { missing: `the backup ${String(backup.id)} was not verified in this run (step "${ids.verify}")` }
  if (verify.manifestPath !== backup.manifestPath) return { missing: `step "${ids.verify}" verified another backup than step "${ids.backup}" took` }
  return { manifestPath: backup.manifestPath, id: String(backup.id) }
}

/** What the rehearsal runs: the same commands the plan's migrate and schema-verify steps will run. */
export interface RehearsedCommands {
  migrate: { command: string; cwd?: string; env: Record<string, string>; failOn?: string[] }
  /** The validation command, or null when the plan validates nothing (no schema-verify step, or command false). */
  validate: { command: string; cwd?: string; env: Record<string, string> } | null
  /** schema-verify's expectations on the migrated schema, checked on the copy too. */
  expect: unknown
}

interface StepLike {
  id: string
  options: Record<string, unknown>
}

export function rehearsedCommands(steps: readonly StepLike[], ids: { migrate: string; verify: string }, section: { command: string; validate: string }): RehearsedCommands {
  const m = steps.find((s) => s.id === ids.migrate)?.options ?? {}
  const verify = steps.find((s) => s.id === ids.verify)
  const v = verify?.options ?? {}
  const strings = (x: unknown) => (x && typeof x === 'object' ? (x as Record<string, string>) : {})
  const validateCommand = v.command === false ? null : typeof v.command === 'string' ? v.command : section.validate
  return {
    migrate: {
      command: typeof m.command === 'string' ? m.command : section.command,
      ...(typeof m.cwd === 'string' ? { cwd: m.cwd } : {}),
      env: strings(m.env),
      ...(Array.isArray(m.failOn) ? { failOn: m.failOn as string[] } : {}),
    },
    validate: verify && validateCommand ? { command: validateCommand, ...(typeof v.cwd === 'string' ? { cwd: v.cwd } : {}), env: strings(v.env) } : null,
    expect: v.expect,
  }
}
