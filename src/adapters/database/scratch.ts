import type { Connection } from 'mysql2/promise'
import { queryRows } from './connect.js'
import { DatabaseError } from './errors.js'
import { charsetClause } from './inventory.js'
import type { BackupManifest } from './manifest.js'
import { canSetAnyDefiner } from './privileges.js'
import type { ProgressListener } from './progress.js'
import { replay, type ReplayInto } from './replay.js'
import { replayTables, type TablesReplayed } from './replay-tables.js'
import { planReplay } from './replay-plan.js'
import { wholeRead, type WholeRead } from './read-pieces.js'
import type { ServerInfo } from './tools.js'
import { quoteIdent, withDatabase, type MysqlTarget } from './url.js'

/**
 * Scratch schemas on the target's server: a full verification and a migration rehearsal restore
 * a backup into one, work on it, and drop it. Nothing here touches the target database itself.
 */

/** Creates the scratch schema with the backup's character set; a refusal is a PRIVILEGE error. */
export async function createScratch(admin: Connection, name: string, manifest: Pick<BackupManifest, 'charset'>, hint: string): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}${charsetClause(manifest.charset)}`)
  } catch (error) {
    throw new DatabaseError('PRIVILEGE', `this account may not create the scratch schema ${name} (${(error as Error).message})`, hint, { cause: error })
  }
}

export async function dropScratch(admin: Connection, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
}

/** Schemas whose name starts with `prefix` (compared as text: no LIKE, whose `_` is a wildcard). */
export async function schemasStartingWith(admin: Connection, prefix: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(admin, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, ?) = ?', [prefix.length, prefix])
  return rows.map((r) => String(r.name))
}

export interface ScratchReplay extends WholeRead {
  server: MysqlTarget
  info: Pick<ServerInfo, 'flavor'>
  /** An open connection on the server, to ask what the account may do. */
  admin: Connection
  scratch: string
  manifest: BackupManifest
  file: string
  key: Buffer | null
  env?: NodeJS.ProcessEnv
  /** false: the schema alone (tables, views, routines, triggers), no rows but those of `rowsOf`. */
  rows: boolean
  /** Tables (lower case) whose rows are copied even without `rows`. */
  rowsOf?: ReadonlySet<string>
  stage: 'restore' | 'verify'
  /** Sessions loading rows at once when `rows` (replay-tables.ts: by default one per core once the rows pass 64 MiB). */
  sessions?: number
  signal?: AbortSignal
  onProgress?: ProgressListener
}

/**
 * Replays a backup into a scratch schema: names rewritten to the scratch's, events created
 * disabled (they must not run there), definers stripped when the account may not set them.
 */
export async function replayIntoScratch(opts: ScratchReplay): Promise<TablesReplayed> {
  const stripDefiners = !(await canSetAnyDefiner(opts.admin))
  const into: ReplayInto = {
    target: withDatabase(opts.server, opts.scratch),
    database: opts.scratch,
    server: opts.info,
    file: opts.file,
    manifest: opts.manifest,
    key: opts.key,
    ...(opts.env ? { env: opts.env } : {}),
    rewrite: { stripDefiners, renameFrom: opts.manifest.database, renameTo: opts.scratch, disableEvents: true },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }
  const whole = { stage: opts.stage, ...wholeRead(opts) }
  // Every row: the same replay as a full restore's, rows on several sessions when large.
  if (opts.rows) return replayTables(into, null, { ...whole, ...(opts.sessions !== undefined ? { sessions: opts.sessions } : {}) })
  return { ...(await replay({ ...into, ...whole, pieces: planReplay(opts.manifest, null, { rows: false, ...(opts.rowsOf ? { rowsOf: opts.rowsOf } : {}) }) })), sessions: 1, indexesAfterRows: [] }
}
