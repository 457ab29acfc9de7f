import { locationName } from '../storage/location.js'
import type { Connection } from 'mysql2/promise'
import { sealPathFor } from './manifest-seal.js'
import { findBackup } from './catalog.js'
import { closeQuietly, openConnection } from './connect.js'
import { DatabaseError, UntouchedError } from './errors.js'
import { charsetClause, checksumTables, countObjects, listObjects, listTables, showCreateTable } from './inventory.js'
import { backupStatus, type BackupManifest } from './manifest.js'
import { canSetAnyDefiner } from './privileges.js'
import type { ProgressListener } from './progress.js'
import { backupFilePath, checkFile, keyFor } from './read-backup.js'
import type { ReplayInto } from './replay.js'
import { replayTables, type TablesReplayed } from './replay-tables.js'
import { normalizeDefinition } from './sql-rewrite.js'
import { planReversal } from './reverse-alter.js'
import { detectServer, type ServerInfo } from './tools.js'
import { parseMysqlUrl, quoteIdent, requireDatabase, type MysqlTarget } from './url.js'
import { verifyBackup } from './verify-backup.js'
import { tablesWrittenSince, type ChangedTables } from './binlog-changes.js'

export interface RestoreOptions {
  /** The database to restore into: mysql://user:password@host:port/database */
  url: string
  /** Backup id, path of its file or manifest, or "latest" (newest verified). */
  backup: string
  /** Folder to look the id up in. */
  dir?: string
  /** differential (default): replay only the tables that differ; full: replay everything. */
  mode?: 'differential' | 'full'
  /** Restore a backup of another database into this one. */
  force?: boolean
  /**
   * Client sessions loading rows at once when there are many (default: one per core, two to
   * four, once the rows to load pass 64 MiB); 1 replays everything through one session. A number
   * given here is used whatever the size.
   */
  sessions?: number
  /** Checksum every table again after the replay, not only the replayed ones. */
  proveAll?: boolean
  /**
   * Undo purely additive changes to a table (added columns, indexes, foreign keys) with ALTER
   * TABLE instead of replaying its rows, when the result then proves equal (default true).
   */
  reverseAdditions?: boolean
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  onProgress?: ProgressListener
  log?: (line: string) => void
}

export type ReplayReason = 'missing' | 'definition' | 'checksum' | 'no checksum'

export interface TableProof {
  name: string
  expected: number | null
  actual: number | null
  /**
   * after: checksummed after the replay; before: not replayed, checksummed during the comparison
   * (after any reverting ALTER); unwritten: not replayed, and the binary log shows no write to it
   * since the backup's snapshot, through the end of the restore (its `actual` is then null).
   */
  checked: 'after' | 'before' | 'unwritten'
  ok: boolean
}

export interface RestoreReport {
  backupId: string
  database: string
  requested: 'differential' | 'full'
  performed: 'differential' | 'full'
  /** Why a differential restore became a full one. */
  fallback?: string
  /** reverted: put back by dropping what a migration added, then proven like the rest. */
  tables: { replayed: string[]; reverted: string[]; dropped: string[]; unchanged: string[] }
  reasons: Record<string, ReplayReason>
  definersStripped: boolean
  bytesReplayed: number
  /**
   * Bytes of the backup file read for the replay: all of it, or (a framed backup) only the frames
   * that hold the replayed parts.
   */
  fileBytesRead: number
  /** Client sessions that loaded rows at once (1: everything through one). */
  sessions: number
  /** Tables whose secondary indexes and foreign keys were built after their rows. */
  indexesAfterRows: string[]
  dumpBytes: number
  timings: { checkMs: number; compareMs: number; replayMs: number; proofMs: number; totalMs: number }
  proof: { ok: boolean; tables: TableProof[]; objects: { expected: BackupManifest['objects']; actual: BackupManifest['objects'] }; problems: string[] }
  /** What the restore could not check, each one sentence (e.g. a manifest from before seals). */
  warnings: string[]
  /**
   * How a differential restore found the tables that changed: from the binary log (the tables
   * written since the backup's snapshot), or by a checksum of every table, with the reason.
   */
  changes: { source: 'binlog'; events: number } | { source: 'checksum'; reason: string } | null
}

export class RestoreProofError extends DatabaseError {
  constructor(readonly report: RestoreReport) {
    super('RESTORE_FAILED', `the restored database does not equal backup ${report.backupId}: ${report.proof.problems.slice(0, 3).join('; ')}`)
    this.name = 'RestoreProofError'
  }
}

/**
 * Puts a database back to a backup. Differential: compares each table's definition and checksum
 * with the manifest, replays only the dump parts of the tables that differ (by the byte ranges the
 * manifest records), drops the tables the backup does not have, recreates views, triggers,
 * routines and events, then proves every table equals the manifest. The end state is a full
 * restore's; the time follows what changed. Falls back to a full restore when the manifest cannot
 * be trusted for this, or when the proof fails.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreReport> {
  const started = performance.now()
  const log = opts.log ?? (() => {})
  const target = parseMysqlUrl(opts.url)
  const database = requireDatabase(target)
  const requested = opts.mode ?? 'differential'

  // Set just before the first statement that changes the database: until then a failure leaves it as it was.
  const touched = { value: false }
  try {
    // The backup first: a restore never starts from something that fails its checks.
    const checkStarted = performance.now()
    let { manifest, manifestPath, seal } = await findBackup(opts.backup, opts.dir, opts.env)
    const warnings: string[] = []
    // A seal that is missing cannot tell "written before seals" from "changed, and its seal removed":
    // only a user who knows which it is restores it.
    if (seal === 'unsealed') {
      const unchecked = `the manifest ${manifestPath} could not be checked: its seal (${locationName(sealPathFor(manifestPath))}) is missing, as for a backup older than seals, or one whose manifest was changed and its seal removed`
      if (!opts.force) throw new DatabaseError('INVALID_BACKUP', unchecked, 'pass --force to restore it anyway, if you know where the backup comes from')
      warnings.push(unchecked)
      log(unchecked)
    }
    const status = backupStatus(manifest)
    if (status.status === 'invalid') {
      throw new DatabaseError('INVALID_BACKUP', `backup ${manifest.id} failed verification and is not offered for restore: ${status.problems.join('; ')}`)
    }
    if (manifest.database !== database && !opts.force) {
      throw new DatabaseError('WRONG_DATABASE', `backup ${manifest.id} is of database "${manifest.database}", not "${database}"`, 'pass --force to restore it into this database anyway')
    }
    const key = keyFor(manifest, opts.env)
    const file = backupFilePath(manifestPath, manifest)
    if (status.status === 'unverified') {
      const outcome = await verifyBackup({ backup: manifestPath, level: 'quick', ...(opts.env ? { env: opts.env } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) })
      if (!outcome.ok) throw new DatabaseError('INVALID_BACKUP', `backup ${manifest.id} failed verification: ${outcome.problems.join('; ')}`)
      manifest = outcome.manifest
    } else {
      const problems = await checkFile(file, manifest, key, opts.env)
      if (problems.length) throw new DatabaseError('INVALID_BACKUP', `backup ${manifest.id} changed since it was verified: ${problems.join('; ')}`)
    }
    const checkMs = performance.now() - checkStarted

    const conns = await openTarget(target, database, charsetClause(manifest.charset), touched)
    try {
      const server = await detectServer(conns[0])
      const definersStripped = !(await canSetAnyDefiner(conns[0]))
      const ctx: Ctx = { target, database, manifest, file, key, server, conns, definersStripped, opts, log, touched }

      let fallback = fullRestoreNeeded(manifest, requested)
      let attempt = fallback ? await runFull(ctx) : await runDifferential(ctx)
      if (!attempt.proof.ok && !fallback) {
        fallback = `the differential restore's proof failed (${attempt.proof.problems.slice(0, 2).join('; ')})`
        log(`${fallback}: restoring in full`)
        attempt = await runFull(ctx)
      }
      const report: RestoreReport = {
        backupId: manifest.id,
        database,
        requested,
        performed: attempt.performed,
        ...(fallback && requested === 'differential' ? { fallback } : {}),
        tables: attempt.tables,
        reasons: attempt.reasons,
        definersStripped,
        bytesReplayed: attempt.bytesReplayed,
        fileBytesRead: attempt.fileBytesRead,
        sessions: attempt.sessions,
        indexesAfterRows: attempt.indexesAfterRows,
        dumpBytes: manifest.dumpBytes,
        timings: { checkMs: Math.round(checkMs), compareMs: Math.round(attempt.compareMs), replayMs: Math.round(attempt.replayMs), proofMs: Math.round(attempt.proofMs), totalMs: Math.round(performance.now() - started) },
        proof: attempt.proof,
        warnings,
        changes: attempt.changes,
      }
      if (!report.proof.ok) throw new RestoreProofError(report)
      log(`restored ${manifest.id} into ${database} (${report.performed}): ${report.tables.replayed.length} replayed, ${report.tables.dropped.length} dropped, ${report.tables.unchanged.length} unchanged in ${report.timings.totalMs} ms`)
      return report
    } finally {
      await Promise.all(conns.map(closeQuietly))
    }
  } catch (error) {
    throw touched.value ? error : new UntouchedError(error)
  }
}

interface Ctx {
  target: MysqlTarget
  database: string
  manifest: BackupManifest
  file: string
  key: Buffer | null
  server: ServerInfo
  conns: [Connection, Connection]
  definersStripped: boolean
  opts: RestoreOptions
  log: (line: string) => void
  touched: { value: boolean }
}

interface Attempt {
  performed: 'differential' | 'full'
  changes: RestoreReport['changes']
  tables: RestoreReport['tables']
  reasons: Record<string, ReplayReason>
  bytesReplayed: number
  fileBytesRead: number
  sessions: number
  indexesAfterRows: string[]
  compareMs: number
  replayMs: number
  proofMs: number
  proof: RestoreReport['proof']
}

/** When the manifest cannot tell which tables equal the backup, only a full restore is safe. */
function fullRestoreNeeded(manifest: BackupManifest, requested: 'differential' | 'full'): string | undefined {
  if (requested === 'full') return 'requested'
  const fullPassed = manifest.verifications.some((v) => v.level === 'full' && v.ok)
  if (manifest.consistency.checksums !== 'synchronised' && !fullPassed) {
    return 'the backup\'s checksums were not taken in the dump\'s snapshot and no full verification confirmed them'
  }
  if (manifest.tables.some((t) => t.checksum === null)) return 'some tables have no checksum in the manifest'
  return undefined
}

/** Two connections to the target (checksums run two at a time); creates the database when it is gone. */
async function openTarget(target: MysqlTarget, database: string, charset: string, touched: { value: boolean }): Promise<[Connection, Connection]> {
  const admin = await openConnection(target, { noDatabase: true })
  try {
    const [rows] = await admin.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])
    if (!(rows as unknown[]).length) {
      touched.value = true
      await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)}${charset}`)
    }
  } catch {
    // No privilege to create: the database must already exist, and the next connection says so.
  }
  const other = await openConnection(target, { noDatabase: true }).catch(async (error) => {
    await closeQuietly(admin)
    throw error
  })
  for (const c of [admin, other]) await c.query('SET SESSION FOREIGN_KEY_CHECKS = 0')
  return [admin, other]
}

async function runDifferential(ctx: Ctx): Promise<Attempt> {
  const { conns, database, manifest } = ctx
  const compareStarted = performance.now()
  // Read before anything here writes: the binary log then shows others' writes only.
  const written = await writtenSinceBackup(ctx)
  const live = await listTables(conns[0], database)
  const liveNames = new Set(live.map((t) => t.name))
  const reasons: Record<string, ReplayReason> = {}
  const candidates: string[] = []
  const reverted: string[] = []
  for (const table of manifest.tables) {
    if (!liveNames.has(table.name)) reasons[table.name] = 'missing'
    else if (table.checksum === null) reasons[table.name] = 'no checksum'
    else if (normalizeDefinition(await showCreateTable(conns[0], database, table.name)) === normalizeDefinition(table.definition)) candidates.push(table.name)
    else if (ctx.opts.reverseAdditions !== false && (await revertAdditions(ctx, table.name, table.definition))) {
      reverted.push(table.name)
      candidates.push(table.name)
    } else reasons[table.name] = 'definition'
  }
  // With the binary log, only the tables written since the backup need their checksum compared.
  const unwritten = written.usable ? candidates.filter((n) => !written.tables.has(n) && !reverted.includes(n)) : []
  const compared = candidates.filter((n) => !unwritten.includes(n))
  let done = 0
  const before = await checksumTables(conns, database, compared, (table) =>
    ctx.opts.onProgress?.({ stage: 'compare', tablesDone: ++done, tablesTotal: compared.length, bytesDone: 0, bytesTotal: null, table }),
  )
  for (const name of compared) {
    if (before.get(name) !== manifest.tables.find((t) => t.name === name)!.checksum) reasons[name] = 'checksum'
  }
  for (const name of reverted) if (reasons[name] === 'checksum') reasons[name] = 'definition'
  const replayed = manifest.tables.filter((t) => reasons[t.name]).map((t) => t.name)
  const revertedOk = reverted.filter((n) => !reasons[n])
  const unchanged = candidates.filter((n) => !reasons[n] && !revertedOk.includes(n))
  const dropped = live.filter((t) => !manifest.tables.some((m) => m.name === t.name)).map((t) => t.name)
  const compareMs = performance.now() - compareStarted
  ctx.log(written.usable ? `the binary log shows ${written.tables.size} table(s) written since the backup (${written.events} events read)` : `every table compared by checksum: ${written.reason}`)
  ctx.log(`differential restore: ${replayed.length} to replay (${replayed.map((n) => `${n}: ${reasons[n]}`).join(', ') || 'none'}), ${revertedOk.length} reverted by ALTER TABLE, ${dropped.length} to drop, ${unchanged.length} unchanged`)

  const replayStarted = performance.now()
  for (const name of [...unchanged, ...revertedOk]) await restoreCounter(ctx, name, manifest.tables.find((t) => t.name === name)!.definition)
  await dropBeforeReplay(ctx, { tables: dropped, triggersOf: [...unchanged, ...revertedOk] })
  const replayedBytes = await runReplay(ctx, new Set(replayed))
  const replayMs = performance.now() - replayStarted

  const proofStarted = performance.now()
  // A table the log called unwritten is checksummed after all when a write to it shows up since
  // (or the log can no longer be read): the proof never rests on a log that stopped telling.
  const since = written.usable ? await writtenSinceBackup(ctx, written.through) : null
  const stillUnwritten = since?.usable ? unwritten.filter((n) => !since.tables.has(n)) : []
  const proof = ctx.opts.proveAll
    ? await prove(ctx, manifest.tables.map((t) => t.name), new Map(), new Set())
    : await prove(ctx, [...replayed, ...unwritten.filter((n) => !stillUnwritten.includes(n))], before, new Set(stillUnwritten))
  const changes: Attempt['changes'] = written.usable ? { source: 'binlog', events: written.events } : { source: 'checksum', reason: written.reason }
  return { performed: 'differential', changes, tables: { replayed, reverted: revertedOk, dropped, unchanged }, reasons, bytesReplayed: replayedBytes.bytes, fileBytesRead: replayedBytes.fileBytesRead, sessions: replayedBytes.sessions, indexesAfterRows: replayedBytes.indexesAfterRows, compareMs, replayMs, proofMs: performance.now() - proofStarted, proof }
}

async function runFull(ctx: Ctx): Promise<Attempt> {
  const { conns, database, manifest } = ctx
  const replayStarted = performance.now()
  const live = await listTables(conns[0], database)
  const dropped = live.filter((t) => !manifest.tables.some((m) => m.name === t.name)).map((t) => t.name)
  // Everything goes, so that nothing a migration added survives a full restore.
  await dropBeforeReplay(ctx, { tables: live.map((t) => t.name), triggersOf: [] })
  const replayedBytes = await runReplay(ctx, null)
  const replayMs = performance.now() - replayStarted
  const proofStarted = performance.now()
  const proof = await prove(ctx, manifest.tables.map((t) => t.name), new Map(), new Set())
  const replayed = manifest.tables.map((t) => t.name)
  return {
    performed: 'full',
    changes: null,
    tables: { replayed, reverted: [], dropped, unchanged: [] },
    reasons: Object.fromEntries(replayed.map((n) => [n, 'missing' as const])),
    bytesReplayed: replayedBytes.bytes,
    fileBytesRead: replayedBytes.fileBytesRead,
    sessions: replayedBytes.sessions,
    indexesAfterRows: replayedBytes.indexesAfterRows,
    compareMs: 0,
    replayMs,
    proofMs: performance.now() - proofStarted,
    proof,
  }
}

/**
 * Drops the columns, indexes and foreign keys a migration added to a table, when that is all it
 * did to its definition; true when the definition then equals the backup's. Its checksum is
 * compared next, like any unchanged table's; a mismatch sends it to the replay.
 */
async function revertAdditions(ctx: Ctx, table: string, definition: string): Promise<boolean> {
  const current = await showCreateTable(ctx.conns[0], ctx.database, table)
  const plan = planReversal(table, definition, current)
  if (!plan) return false
  try {
    await ctx.conns[0].query(`USE ${quoteIdent(ctx.database)}`)
    for (const statement of plan) {
      ctx.log(`reverting ${table}: ${statement}`)
      ctx.touched.value = true
      await ctx.conns[0].query(statement)
    }
  } catch (error) {
    ctx.log(`reverting ${table} failed (${(error as Error).message}): its part of the dump is replayed instead`)
    return false
  }
  return normalizeDefinition(await showCreateTable(ctx.conns[0], ctx.database, table)) === normalizeDefinition(definition)
}

/**
 * Puts a kept table's AUTO_INCREMENT counter back to the backup's: rows inserted and deleted
 * since, or an ALTER, move it without changing any row. A metadata change.
 */
async function restoreCounter(ctx: Ctx, table: string, definition: string): Promise<void> {
  const counter = (sql: string) => /\)[^)]*\bAUTO_INCREMENT=(\d+)/.exec(sql)?.[1] ?? null
  const wanted = counter(definition)
  const current = counter(await showCreateTable(ctx.conns[0], ctx.database, table))
  if (wanted === current) return
  ctx.touched.value = true
  await ctx.conns[0].query(`ALTER TABLE ${quoteIdent(ctx.database)}.${quoteIdent(table)} AUTO_INCREMENT = ${wanted ?? 1}`)
}

/**
 * Removes what the replay recreates or what the backup does not have: the given tables, all
 * views, routines and events, and the triggers of tables that stay (theirs come back from the dump).
 */
async function dropBeforeReplay(ctx: Ctx, what: { tables: string[]; triggersOf: string[] }): Promise<void> {
  const db = quoteIdent(ctx.database)
  const objects = await listObjects(ctx.conns[0], ctx.database)
  const conn = { query: (sql: string) => ((ctx.touched.value = true), ctx.conns[0].query(sql)) }
  for (const view of objects.views) await conn.query(`DROP VIEW IF EXISTS ${db}.${quoteIdent(view)}`)
  const keep = new Set(what.triggersOf)
  for (const trigger of objects.triggers) if (keep.has(trigger.table)) await conn.query(`DROP TRIGGER IF EXISTS ${db}.${quoteIdent(trigger.name)}`)
  for (const routine of objects.routines) await conn.query(`DROP ${routine.type} IF EXISTS ${db}.${quoteIdent(routine.name)}`)
  for (const event of objects.events) await conn.query(`DROP EVENT IF EXISTS ${db}.${quoteIdent(event)}`)
  // One statement: foreign keys between the dropped tables do not matter, and checks are off anyway.
  if (what.tables.length) await conn.query(`DROP TABLE IF EXISTS ${what.tables.map((t) => `${db}.${quoteIdent(t)}`).join(', ')}`)
}

/** Replays the tables' parts of the dump (all when `tables` is null): replay-tables.ts. */
async function runReplay(ctx: Ctx, tables: ReadonlySet<string> | null): Promise<TablesReplayed> {
  const into: ReplayInto = {
    target: ctx.target,
    database: ctx.database,
    server: ctx.server,
    file: ctx.file,
    manifest: ctx.manifest,
    key: ctx.key,
    ...(ctx.opts.env ? { env: ctx.opts.env } : {}),
    rewrite: { stripDefiners: ctx.definersStripped, renameFrom: ctx.manifest.database, renameTo: ctx.database },
    onFirstWrite: () => (ctx.touched.value = true),
    ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
    ...(ctx.opts.onProgress ? { onProgress: ctx.opts.onProgress } : {}),
  }
  return replayTables(into, tables, { stage: 'restore', log: ctx.log, ...(ctx.opts.sessions !== undefined ? { sessions: ctx.opts.sessions } : {}) })
}

/**
 * Every manifest table exists with its definition and checksum, no other table exists, and the
 * object counts match. Tables not replayed were checksummed moments before and left untouched.
 */
async function prove(ctx: Ctx, checkNow: string[], checkedBefore: Map<string, number | null>, unwritten: ReadonlySet<string>): Promise<Attempt['proof']> {
  const { conns, database, manifest } = ctx
  const problems: string[] = []
  const live = await listTables(conns[0], database)
  const liveNames = new Set(live.map((t) => t.name))
  for (const t of live) if (!manifest.tables.some((m) => m.name === t.name)) problems.push(`table ${t.name} is not in the backup`)
  for (const t of manifest.tables) {
    if (!liveNames.has(t.name)) problems.push(`table ${t.name} is missing`)
    else if (normalizeDefinition(await showCreateTable(conns[0], database, t.name)) !== normalizeDefinition(t.definition)) problems.push(`table ${t.name} has another definition than the backup's`)
  }
  let done = 0
  const now = await checksumTables(conns, database, checkNow.filter((n) => liveNames.has(n)), (table) =>
    ctx.opts.onProgress?.({ stage: 'proof', tablesDone: ++done, tablesTotal: checkNow.length, bytesDone: 0, bytesTotal: null, table }),
  )
  const tables: TableProof[] = manifest.tables.map((t) => {
    if (unwritten.has(t.name) && liveNames.has(t.name)) return { name: t.name, expected: t.checksum, actual: null, checked: 'unwritten', ok: true }
    const after = now.has(t.name)
    const actual = after ? now.get(t.name)! : (checkedBefore.get(t.name) ?? null)
    const ok = liveNames.has(t.name) && actual === t.checksum
    if (!ok && liveNames.has(t.name)) problems.push(`table ${t.name} has checksum ${actual}, the backup ${t.checksum}`)
    return { name: t.name, expected: t.checksum, actual, checked: after ? 'after' : 'before', ok }
  })
  const objects = await countObjects(conns[0], database)
  for (const kind of ['views', 'triggers', 'routines', 'events'] as const) {
    if (objects[kind] !== manifest.objects[kind]) problems.push(`${objects[kind]} ${kind} after the restore, the backup has ${manifest.objects[kind]}`)
  }
  return { ok: problems.length === 0, tables, objects: { expected: manifest.objects, actual: objects }, problems }
}

/**
 * The tables written since the backup's snapshot (or since `from`), from the server's binary log;
 * not usable, with the reason, when the backup recorded no position or the log cannot tell.
 */
async function writtenSinceBackup(ctx: Ctx, from?: { file: string; position: number }): Promise<ChangedTables> {
  const { manifest, database, conns } = ctx
  if (!manifest.binlog) return { usable: false, reason: 'the backup recorded no binary log position' }
  if (manifest.database !== database) return { usable: false, reason: `the backup is of database ${manifest.database}` }
  const objects = await listObjects(conns[0], database)
  const triggered = new Set([...objects.triggers.map((t) => t.table), ...manifest.tables.filter((t) => t.triggers > 0).map((t) => t.name)])
  return tablesWrittenSince(conns[0], database, from ? { ...manifest.binlog, ...from } : manifest.binlog, triggered).catch((error: Error) => ({
    usable: false as const,
    reason: `the binary log could not be read (${error.message})`,
  }))
}
