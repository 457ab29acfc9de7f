import { resolveLocation } from '../../adapters/storage/location.js'
import { backupsSection } from '../../config/schema.js'
import { formatIssues } from '../../config/issues.js'
import type { StepContext } from '../../engine/step-kind.js'
import { ConfigError } from '../../shared/errors.js'
import type { BackupIo } from './take-backup.js'
import { mb } from '../../shared/format.js'

/** The backup folder and policies: all `rollout backups` needs, no database URL. */
export interface BackupFolderSettings {
  /** An absolute path, or `s3://bucket/prefix`. */
  dir: string
  keep?: number
  keepDays?: number
  maxAgeMs: number
  verify: 'quick' | 'full'
  encryptionKeyEnv?: string
  compression: 'auto' | 'zstd' | 'gzip'
}

export interface BackupSettings extends BackupFolderSettings {
  url: string
}

/** What the settings are read from: a step's context, or the CLI's resolved environment. */
export type BackupSource = Pick<StepContext<unknown>, 'environment' | 'environmentName' | 'cwd' | 'redactor' | 'env'>

/** Reads and checks the `backups` section; paths resolve from the config's folder. */
export function backupFolderSettings(src: BackupSource): BackupFolderSettings {
  const parsed = backupsSection.safeParse(src.environment.backups ?? {})
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, ['environments', src.environmentName, 'backups'], backupsSection))
  const s = parsed.data
  return {
    dir: resolveLocation(s.dir, src.cwd),
    ...(s.keep !== undefined ? { keep: s.keep } : {}),
    ...(s.keepDays !== undefined ? { keepDays: s.keepDays } : {}),
    maxAgeMs: s.maxAge,
    verify: s.verify,
    ...(s.encryptionKeyEnv ? { encryptionKeyEnv: s.encryptionKeyEnv } : {}),
    compression: s.compression,
  }
}

/** The folder settings plus the database; registers the URL with the redactor so its password never shows. */
export function backupSettings(src: BackupSource): BackupSettings {
  const folder = backupFolderSettings(src)
  return { ...folder, url: databaseUrl(src) }
}

/** database.url, else DATABASE_URL, the variable deploy scripts and ORMs read the database from. */
export function databaseUrl(src: BackupSource): string {
  const url = src.environment.database?.url ?? src.env.DATABASE_URL
  if (!url) {
    throw new ConfigError(`environments.${src.environmentName}.database.url is not set and neither is DATABASE_URL: the backup needs the database (mysql://user:password@host:3306/database)`)
  }
  src.redactor.addUrl(url)
  return url
}

/** A backup's IO inside a step: its signal, variables, log, and progress lines in the record. */
export function stepIo(ctx: StepContext<unknown>): BackupIo {
  return { signal: ctx.signal, env: ctx.env, onProgress: progressLogger(ctx), log: (line) => ctx.log(line) }
}

/** A progress listener that logs a line at most every few seconds: enough for the record, not a flood. */
export function progressLogger(ctx: StepContext<unknown>, everyMs = 5000) {
  let last = 0
  return (p: { stage: string; tablesDone: number; tablesTotal: number; bytesDone: number; bytesTotal: number | null; table?: string }) => {
    const now = Date.now()
    if (now - last < everyMs) return
    last = now
    const bytes = p.bytesDone ? `, ${mb(p.bytesDone)}${p.bytesTotal ? ` of ~${mb(p.bytesTotal)}` : ''}` : ''
    ctx.log(`${p.stage}: ${p.tablesDone}/${p.tablesTotal} tables${bytes}${p.table ? ` (${p.table})` : ''}`)
  }
}
