import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { defineStepKind, type Inspection, type StepContext, type StepOutcome, type UndoContext } from '../../engine/step-kind.js'
import { runCommandStep } from '../command.js'
import { diffFingerprints, type SchemaFingerprint } from '../../adapters/database/fingerprint.js'
import { readFingerprintAt, summarize, databaseNameOf } from './database.js'
import { decideRestore, type RestoreMode } from './undo-decision.js'
import { restoreRunBackup } from './restore-run-backup.js'
import { regexSource } from '../../config/regex.js'

const restoreMode = z.enum(['auto', 'always', 'never'])

export const migrateOptions = z.strictObject({
  command: z.string().min(1).optional().describe('The migration command; the environment\'s migrate.command (`pnpm db:push`) when not set.'),
  cwd: z.string().optional().describe('Folder to run it in, relative to the config\'s folder.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment for the command (DATABASE_URL is always set).'),
  /**
   * When a rollback restores the database: `auto` (the schema changed, or the migration failed or
   * was interrupted), `always` (data migrations), `never`. Default: migrate.restore, else auto.
   */
  restore: restoreMode.optional(),
  backupStep: z.string().default('backup').describe('Id of the step whose data names the backup to restore.'),
  failOn: z
    .array(regexSource)
    .optional()
    .describe('Regular expressions (per line, case-sensitive) that fail the migration when its output shows one, even with exit code 0. Default: migrate.failOn, else the built-in patterns; [] turns it off.'),
})
export type MigrateOptions = z.output<typeof migrateOptions>

/**
 * What a migration tool prints when it crashed but still exited 0 (drizzle-kit push has done so):
 * a Node stack frame, an error's first line, a property read on undefined, a package manager's
 * ELIFECYCLE.
 */
export const DEFAULT_FAIL_ON = [
  '^\\s+at .+\\(.+:\\d+:\\d+\\)$',
  '^\\s+at (?:file://)?/\\S+:\\d+:\\d+$',
  '^\\w*Error: ',
  'Cannot read properties of (?:undefined|null)',
  '\\bELIFECYCLE\\b',
]

/** The failOn patterns of a migrate step's options, else migrate.failOn, else the built-in ones. */
export function failOnOf(ctx: Pick<StepContext<Pick<MigrateOptions, 'failOn'>>, 'options' | 'environment'>): string[] {
  if (ctx.options.failOn) return ctx.options.failOn
  const fromSection = (ctx.environment.migrate as Record<string, unknown>).failOn
  return Array.isArray(fromSection) ? (fromSection as string[]) : DEFAULT_FAIL_ON
}

/** The first output line a failOn pattern matches, with the pattern, or null. */
export function errorInOutput(output: string, patterns: readonly string[]): { line: string; pattern: string } | null {
  const res = patterns.map((p) => ({ pattern: p, re: new RegExp(p) }))
  for (const line of output.split('\n')) {
    const hit = res.find((r) => r.re.test(line))
    if (hit) return { line: line.trim().slice(0, 200), pattern: hit.pattern }
  }
  return null
}

function databaseUrl(ctx: StepContext<unknown>): string {
  const url = ctx.environment.database?.url
  if (!url) throw new Error('the environment has no database.url: the migration needs the database it changes')
  ctx.redactor.addUrl(url)
  return url
}

function restoreModeOf(ctx: StepContext<MigrateOptions>): RestoreMode {
  if (ctx.options.restore) return ctx.options.restore
  const fromSection = (ctx.environment.migrate as Record<string, unknown>).restore
  if (fromSection === undefined) return 'auto'
  const parsed = restoreMode.safeParse(fromSection)
  if (!parsed.success) throw new Error(`migrate.restore: expected "auto", "always" or "never", got ${JSON.stringify(fromSection)}`)
  return parsed.data
}

async function keepFingerprint(ctx: StepContext<unknown>, name: string, fp: SchemaFingerprint, label: string): Promise<void> {
  await ctx.writeEvidence(name, JSON.stringify(fp, null, 2), label)
}

/**
 * The full fingerprint the first attempt kept as evidence before the migration, or null when the
 * file is missing or is not the one the record names (its hash must match).
 */
async function readRecordedBefore(ctx: StepContext<unknown>, hash: string): Promise<SchemaFingerprint | null> {
  try {
    const before = JSON.parse(await readFile(path.join(ctx.evidenceDir, 'schema-before.json'), 'utf8')) as SchemaFingerprint
    return before.hash === hash ? before : null
  } catch {
    return null
  }
}

/**
 * The schema as it was before this step's first attempt. A repeat (a retry, or a resume after a
 * crash, when the dead attempt's migration may have finished on its own) must not take the
 * half-migrated schema it finds now for "before": that would hide the change from the diff and
 * from the rollback's proof.
 */
async function schemaBefore(ctx: StepContext<unknown>, url: string): Promise<{ fingerprint: SchemaFingerprint; first: boolean }> {
  const recorded = (ctx.earlier?.before as { hash?: unknown } | undefined)?.hash
  if (typeof recorded !== 'string') return { fingerprint: await readFingerprintAt(url), first: true }
  const fingerprint = await readRecordedBefore(ctx, recorded)
  if (!fingerprint) throw new Error(`the schema recorded before the first attempt (${recorded.slice(0, 12)}, schema-before.json) is gone: what the earlier attempt changed cannot be told`)
  return { fingerprint, first: false }
}

export default defineStepKind<MigrateOptions>({
  kind: 'migrate',
  description: "runs the migration command (migrate.command) with DATABASE_URL set; records the schema fingerprint before and after, and the diff",
  changesEnvironment: true,
  // A repeat compares with the schema from before the first attempt (schemaBefore), so it is safe.
  resumable: true,
  options: migrateOptions,

  async run(ctx): Promise<StepOutcome> {
    const url = databaseUrl(ctx)
    const command = ctx.options.command ?? ctx.environment.migrate.command
    const database = databaseNameOf(url)

    const { fingerprint: before, first } = await schemaBefore(ctx, url)
    if (first) await keepFingerprint(ctx, 'schema-before.json', before, 'schema before the migration')
    else await ctx.addEvidence(path.join(ctx.evidenceDir, 'schema-before.json'), 'schema before the first attempt')
    const base = { database, command, before: summarize(before) }
    // Recorded before the command starts, so an undo after a crash knows what the schema was.
    await ctx.checkpoint({ ...base, stage: 'migrating' })
    ctx.log(`schema before${first ? '' : ' the first attempt (an earlier attempt may have changed it since)'}: ${base.before.tables} tables, fingerprint ${before.hash.slice(0, 12)}`)

    // DATABASE_URL goes in the environment, never on the command line.
    const result = await runCommandStep(ctx, { command, cwd: ctx.options.cwd, env: { ...ctx.options.env, DATABASE_URL: url } })

    let after: SchemaFingerprint
    try {
      after = await readFingerprintAt(url)
    } catch (error) {
      const why = ctx.redactor.redact((error as Error).message)
      return {
        status: 'failed',
        summary: `${result.status === 'passed' ? 'the migration ran' : result.summary}; the schema could not be read afterwards: ${why}`,
        data: { ...base, stage: 'ran', exitCode: result.exitCode, changed: null, diff: [], after: null },
      }
    }
    await keepFingerprint(ctx, 'schema-after.json', after, 'schema after the migration')
    const diff = diffFingerprints(before, after)
    const changed = after.hash !== before.hash
    await ctx.writeEvidence('schema-diff.txt', diff.length ? diff.join('\n') + '\n' : 'no schema change\n', 'schema diff')
    for (const line of diff) ctx.log(`schema: ${line}`)

    const data = { ...base, stage: 'done', exitCode: result.exitCode, changed, diff, after: summarize(after) }
    const what = changed ? `schema changed (${diff.length} change${diff.length === 1 ? '' : 's'}${diff[0] ? `: ${diff[0]}${diff.length > 1 ? ', …' : ''}` : ''})` : 'no schema change'
    if (result.status !== 'passed') return { status: 'failed', summary: `${result.summary}; ${what}`, data }
    // An exit code 0 is not enough: a tool that crashed may still exit 0 (its output is the evidence).
    const shown = errorInOutput(`${result.stdout}\n${result.stderr}`, failOnOf(ctx))
    if (shown) {
      return {
        status: 'failed',
        summary: `exit code 0 but the output shows an error (${ctx.redactor.redact(shown.line)}; failOn /${shown.pattern}/); ${what}`,
        data: { ...data, failedOn: { line: ctx.redactor.redact(shown.line), pattern: shown.pattern } },
      }
    }
    return { status: 'passed', summary: what, data }
  },

  async inspect(ctx: UndoContext<MigrateOptions>): Promise<Inspection> {
    const expectHash = (ctx.recorded.before as { hash?: unknown } | undefined)?.hash
    if (typeof expectHash !== 'string') return { state: 'unknown', detail: 'the record has no schema fingerprint from before the migration' }
    const now = await readFingerprintAt(databaseUrl(ctx))
    if (now.hash === expectHash) return { state: 'before', detail: `schema fingerprint ${now.hash.slice(0, 12)}, as before the migration` }
    const recordedBefore = await readRecordedBefore(ctx, expectHash)
    const diff = recordedBefore ? diffFingerprints(recordedBefore, now) : []
    return { state: 'changed', detail: `the schema differs from before the migration${diff.length ? `: ${diff.slice(0, 3).join('; ')}` : ` (fingerprint ${now.hash.slice(0, 12)}, before ${expectHash.slice(0, 12)})`}` }
  },

  async undo(ctx: UndoContext<MigrateOptions>): Promise<StepOutcome> {
    const url = databaseUrl(ctx)
    const mode = restoreModeOf(ctx)
    let currentHash: string | null = null
    try {
      currentHash = (await readFingerprintAt(url)).hash
    } catch (error) {
      ctx.log(`the current schema could not be read: ${ctx.redactor.redact((error as Error).message)}`)
    }
    const decision = decideRestore({ recorded: ctx.recorded, endedAs: ctx.endedAs, mode, currentHash })
    ctx.log(`restore ${decision.restore ? 'needed' : 'not needed'}: ${decision.reason}`)
    if (!decision.restore) return { status: 'skipped', summary: `no restore: ${decision.reason}`, data: { restored: false, reason: decision.reason } }

    const expectHash = (ctx.recorded.before as { hash?: string } | undefined)?.hash
    const restored = await restoreRunBackup(ctx, { url, backup: ctx.outputs.get(ctx.options.backupStep), expectHash })

    // The restore proves itself: the schema must hash as it did before the migration.
    const now = await readFingerprintAt(url)
    await keepFingerprint(ctx, 'schema-restored.json', now, 'schema after the restore')
    const data = { restored: true, reason: decision.reason, restore: restored.data, hash: now.hash, expectedHash: expectHash ?? null }
    if (expectHash && now.hash !== expectHash) {
      const recordedBefore = await readRecordedBefore(ctx, expectHash)
      const diff = recordedBefore ? diffFingerprints(recordedBefore, now) : []
      for (const line of diff) ctx.log(`still different: ${line}`)
      return {
        status: 'failed',
        summary: `restored, but the schema differs from before the migration (fingerprint ${now.hash.slice(0, 12)}, expected ${expectHash.slice(0, 12)})${diff[0] ? `: ${diff.slice(0, 3).join('; ')}` : ''}`,
        data: { ...data, diff },
      }
    }
    return { status: 'passed', summary: `${restored.summary}; schema is back as before the migration (${decision.reason})`, data }
  },
})
