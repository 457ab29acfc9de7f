import type { Connection } from 'mysql2/promise'
import type { StepContext, StepOutcome } from '../../engine/step-kind.js'
import { findBackup } from '../../adapters/database/catalog.js'
import { closeQuietly, openConnection, queryRows } from '../../adapters/database/connect.js'
import { DatabaseError } from '../../adapters/database/errors.js'
import { diffFingerprints, type SchemaFingerprint } from '../../adapters/database/fingerprint.js'
import { backupStatus } from '../../adapters/database/manifest.js'
import { backupFilePath, keyFor } from '../../adapters/database/read-backup.js'
import { createScratch, dropScratch, replayIntoScratch } from '../../adapters/database/scratch.js'
import { detectServer } from '../../adapters/database/tools.js'
import { parseMysqlUrl, requireDatabase } from '../../adapters/database/url.js'
import { parseGrants } from '../environment/grants.js'
import { scratchPrivilegesMissing } from './scratch-grants.js'
import { runCommandStep } from '../command.js'
import { readFingerprintAt } from './database.js'
import { checkExpectations, schemaExpectations } from './expectations.js'
import { errorInOutput, failOnOf } from './migrate.js'
import type { RehearseMode, RehearsedCommands } from './rehearse-settings.js'
import { scratchName } from './scratch-name.js'
import { sweepScratches } from './scratch-sweep.js'
import { wouldChange } from './would-change.js'

export interface Rehearsal {
  url: string
  mode: RehearseMode
  backup: { manifestPath: string; id: string }
  commands: RehearsedCommands
  /** Tables whose rows a schema-only copy keeps (the migration tools' history). */
  historyTables: readonly string[]
}

/**
 * The rehearsal proper: a scratch database beside the target, the run's backup restored into it,
 * the migration and the validation run against it, the schema diff recorded, the scratch dropped
 * whatever happened. The target is only read (its schema, before and after, to prove the
 * migration left it alone).
 */
export async function rehearse(ctx: StepContext<unknown>, r: Rehearsal): Promise<StepOutcome> {
  const server = parseMysqlUrl(r.url)
  const database = requireDatabase(server)
  const scratch = scratchName(database, ctx.runId)
  const admin = await openConnection(server, { noDatabase: true })
  try {
    const { missing, grant } = scratchPrivilegesMissing(await readGrants(admin), database, scratch)
    if (missing.length) {
      return { status: 'warning', summary: `rehearsal skipped: ${server.user} lacks ${missing.join(', ')} on the scratch database ${scratch} (${grant(server.user)}); the migration was not rehearsed`, data: { scratch, missing } }
    }
    const swept = await sweepScratches(ctx, admin, database)
    const { manifest, manifestPath } = await findBackup(r.backup.manifestPath, undefined, ctx.env)
    const status = backupStatus(manifest)
    if (status.status !== 'verified') return { status: 'warning', summary: `rehearsal skipped: backup ${manifest.id} is ${status.status}; the migration was not rehearsed`, data: { scratch } }
    const base = { scratch, mode: r.mode, backupId: manifest.id, ...(swept.length ? { swept } : {}) }
    // Recorded before the database exists: a run killed from here on leaves a record of it.
    await ctx.checkpoint({ ...base, stage: 'creating' })
    const started = performance.now()
    let outcome: StepOutcome
    try {
      outcome = await inScratch(ctx, r, { admin, server, scratch, manifest, file: backupFilePath(manifestPath, manifest), base, started })
    } catch (error) {
      await dropAfter(ctx, admin, scratch, null)
      throw error
    }
    return (await dropAfter(ctx, admin, scratch, outcome))!
  } finally {
    await closeQuietly(admin)
  }
}

interface Scratch {
  admin: Connection
  server: ReturnType<typeof parseMysqlUrl>
  scratch: string
  manifest: Awaited<ReturnType<typeof findBackup>>['manifest']
  file: string
  base: Record<string, unknown>
  started: number
}

async function inScratch(ctx: StepContext<unknown>, r: Rehearsal, s: Scratch): Promise<StepOutcome> {
  const skipped = (why: string): StepOutcome => ({ status: 'warning', summary: `rehearsal skipped: ${why}; the migration was not rehearsed`, data: { ...s.base, stage: 'skipped' } })
  try {
    await createScratch(s.admin, s.scratch, s.manifest, 'grant CREATE and DROP on the scratch name')
  } catch (error) {
    return skipped(ctx.redactor.redact((error as Error).message))
  }
  const rowsOf = new Set(r.historyTables.map((t) => t.toLowerCase()))
  const history = r.mode === 'schema' ? s.manifest.tables.filter((t) => rowsOf.has(t.name.toLowerCase())).map((t) => t.name) : []
  ctx.log(`restoring the ${r.mode === 'schema' ? `schema (no rows${history.length ? ` but the migration history's: ${history.join(', ')}` : ''})` : 'schema and rows'} of backup ${s.manifest.id} into ${s.scratch}`)
  try {
    const copied = await replayIntoScratch({
      server: s.server, info: await detectServer(s.admin), admin: s.admin, scratch: s.scratch, manifest: s.manifest, file: s.file,
      key: keyFor(s.manifest, ctx.env), env: ctx.env, rows: r.mode === 'data', rowsOf, stage: 'restore', readToEnd: true, signal: ctx.signal,
    })
    // The whole file went past: its hash says it is still the backup that was verified.
    if (copied.file && copied.file.sha256 !== s.manifest.sha256) return skipped(`the backup file changed since it was verified (SHA-256 ${copied.file.sha256.slice(0, 12)})`)
  } catch (error) {
    if (error instanceof DatabaseError && error.reason === 'ABORTED') throw error
    return skipped(`the backup could not be restored into ${s.scratch}: ${ctx.redactor.redact((error as Error).message)}`)
  }
  const copyMs = performance.now() - s.started
  const scratchUrl = urlFor(r.url, s.scratch)
  ctx.redactor.addUrl(scratchUrl)
  const [before, targetBefore] = await Promise.all([readFingerprintAt(scratchUrl), readFingerprintAt(r.url)])
  await ctx.checkpoint({ ...s.base, stage: 'migrating' })

  // The same command the migrate step runs, DATABASE_URL in its environment pointing at the copy.
  const m = r.commands.migrate
  const result = await runCommandStep(ctx, { command: m.command, ...(m.cwd ? { cwd: m.cwd } : {}), env: { ...m.env, DATABASE_URL: scratchUrl }, evidence: 'migration-output.log' })
  let after: SchemaFingerprint | null = null
  try {
    after = await readFingerprintAt(scratchUrl)
  } catch (error) {
    ctx.log(`the copy's schema could not be read after the migration: ${ctx.redactor.redact((error as Error).message)}`)
  }
  const diff = after ? diffFingerprints(before, after) : []
  await ctx.writeEvidence('rehearsal-diff.txt', after ? (diff.length ? diff.join('\n') + '\n' : 'no schema change\n') : 'the schema could not be read after the migration\n', 'schema diff the migration would make')
  for (const line of diff) ctx.log(`would: ${line}`)
  const would = after ? wouldChange(diff) : 'what it changed is unknown (the schema could not be read)'
  const data = { ...s.base, stage: 'rehearsed', ...(history.length ? { historyRows: history } : {}), exitCode: result.exitCode, changed: after ? after.hash !== before.hash : null, diff, copyMs: Math.round(copyMs) }
  const on = `on a ${r.mode === 'schema' ? 'schema-only' : 'full'} copy of backup ${s.manifest.id}`

  // A command that ignores DATABASE_URL changes the target itself: that must never pass unseen.
  const targetAfter = await readFingerprintAt(r.url)
  const targetChanged = targetAfter.hash === targetBefore.hash ? null
    : `the target database ${requireDatabase(s.server)} itself changed during the rehearsal (${diffFingerprints(targetBefore, targetAfter).slice(0, 2).join('; ')}): the migration command must take its database from DATABASE_URL`

  // Said in the data as well: the run's outcome must not read "nothing changed" (src/engine/api.ts).
  if (targetChanged) Object.assign(data, { environmentChanged: targetChanged })
  const shown = result.status === 'passed' ? errorInOutput(`${result.stdout}\n${result.stderr}`, failOnOf({ options: { ...(m.failOn ? { failOn: m.failOn } : {}) }, environment: ctx.environment })) : null
  if (result.status !== 'passed' || shown) {
    const why = shown ? `exit code 0 but the output shows an error (${ctx.redactor.redact(shown.line)})` : result.summary
    return { status: 'failed', summary: `the migration failed in rehearsal ${on}: ${why}; before it stopped it changed: ${diff.length ? would.replace(/^would /, '') : 'no schema'}${targetChanged ? `; ${targetChanged}` : ''}`, data }
  }
  const problems = await validate(ctx, r, scratchUrl, after, before)
  if (targetChanged) problems.push(targetChanged)
  if (problems.length) return { status: 'failed', summary: `the migration ran in rehearsal ${on}, but ${problems.join('; ')}; it ${would}`, data: { ...data, problems } }
  const seconds = ((performance.now() - s.started) / 1000).toFixed(1)
  return { status: 'passed', summary: `rehearsed ${on} in ${seconds} s: ${would}`, data }
}

/** The plan's schema validation and schema-verify expectations, against the migrated copy. */
async function validate(ctx: StepContext<unknown>, r: Rehearsal, scratchUrl: string, after: SchemaFingerprint | null, before: SchemaFingerprint): Promise<string[]> {
  const problems: string[] = []
  const v = r.commands.validate
  if (v) {
    const result = await runCommandStep(ctx, { command: v.command, ...(v.cwd ? { cwd: v.cwd } : {}), env: { ...v.env, DATABASE_URL: scratchUrl }, evidence: 'validation-output.log' })
    if (result.status !== 'passed') problems.push(`the schema validation fails on its result (${result.summary})`)
  }
  const expect = schemaExpectations.optional().safeParse(r.commands.expect)
  if (after && expect.success && expect.data) {
    for (const p of checkExpectations(after, expect.data, before.hash)) problems.push(`schema expectation unmet: ${p}`)
  }
  return problems
}

/**
 * Drops the scratch database; one that cannot be dropped is said in the outcome, never hidden.
 * Without an outcome (the rehearsal threw) it only drops, and logs a failure.
 */
async function dropAfter(ctx: StepContext<unknown>, admin: Connection, scratch: string, outcome: StepOutcome | null): Promise<StepOutcome | null> {
  try {
    await dropScratch(admin, scratch)
    await ctx.checkpoint({ stage: 'dropped' })
    return outcome && { ...outcome, data: { ...outcome.data, dropped: true } }
  } catch (error) {
    const left = `the scratch database ${scratch} could not be dropped (${ctx.redactor.redact((error as Error).message)}): drop it by hand, or the next run drops it`
    ctx.log(left)
    return outcome && { status: outcome.status === 'passed' ? 'warning' : outcome.status, summary: `${outcome.summary}; ${left}`, data: { ...outcome.data, dropped: false } }
  }
}

async function readGrants(admin: Connection) {
  const rows = await queryRows<Record<string, string>>(admin, 'SHOW GRANTS')
  return parseGrants(rows.map((row) => String(Object.values(row)[0])))
}

/** The target's URL with the scratch database in its path: same user, password, host and options. */
function urlFor(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}
