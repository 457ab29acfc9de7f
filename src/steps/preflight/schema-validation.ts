import { rename, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { readIfExists } from '../../adapters/fs/read-if-exists.js'
import { runCommand } from '../../adapters/process/run-command.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import { RolloutError } from '../../shared/errors.js'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { commandGateOptions, runCommandGate } from './command-gate.js'
import { compareFindings, describeFindingsComparison, findingsBaselineFile, findingsIn, parseFindingsBaseline, type FindingsReport } from './schema-findings.js'

export const schemaValidationOptions = commandGateOptions.extend({
  report: z
    .union([z.literal(false), z.strictObject({
      file: z.string().min(1).describe('The JSON report the command writes, relative to the folder it runs in.'),
      list: z.string().default('allIssues').describe('Where the findings are in the report, as a dotted path; \'\' when the report is the list.'),
      key: z.array(z.string().min(1)).min(1).default(['table', 'column', 'category']).describe('Fields that name a finding; the others (message, severity) may change without making it new.'),
    })])
    .optional()
    .describe('Gate on the findings this report lists, against the baseline, instead of on the exit code: for a validator that reports long-known findings on every run. `false` gates on the exit code (to switch off a preset\'s report).'),
  baseline: z.string().min(1).default('schema-validation-baseline.json').describe('With `report`: the file of known findings, relative to the config\'s folder; `rollout baseline update <env> schema` writes it.'),
})
export type SchemaValidationOptions = z.output<typeof schemaValidationOptions>

/** Timestamps of some file systems are coarse: a report this much older than the start still counts as this run's. */
const CLOCK_SLACK_MS = 2000

/** The findings in the report this run wrote; null when the command wrote none (or an older one is there). */
async function freshFindings(dir: string, report: FindingsReport, since: number): Promise<string[] | null> {
  const file = path.resolve(dir, report.file)
  const info = await stat(file).catch(() => null)
  if (!info || info.mtimeMs < since - CLOCK_SLACK_MS) return null
  const text = (await readIfExists(file)) ?? ''
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`${report.file}: not JSON`)
  }
  return findingsIn(parsed, report)
}

async function readBaseline(file: string, source: string): Promise<string[] | null> {
  const text = await readIfExists(file)
  return text === null ? null : parseFindingsBaseline(text, source)
}

export default defineStepKind<SchemaValidationOptions>({
  kind: 'schema-validation',
  description: "runs the schema validation command (the environment's preflight.schemaValidation, `pnpm validate:schema` by default); with `report`, fails only on findings the baseline does not hold",
  options: schemaValidationOptions,
  async run(ctx): Promise<StepOutcome> {
    const started = Date.now()
    const { stdout: _o, stderr: _e, ...outcome } = await runCommandGate(ctx, ctx.environment.preflight.schemaValidation)
    const o = ctx.options
    if (!o.report || ctx.signal.aborted) return outcome

    const dir = o.cwd ? path.resolve(ctx.cwd, o.cwd) : ctx.cwd
    let findings: string[] | null
    try {
      findings = await freshFindings(dir, o.report, started)
    } catch (error) {
      return { ...outcome, status: 'failed', summary: `${(error as Error).message} (${outcome.summary})` }
    }
    if (findings === null) {
      const why = `it wrote no ${o.report.file}`
      return outcome.status === 'failed'
        ? { ...outcome, summary: `${outcome.summary}; ${why}` }
        : { ...outcome, status: 'warning', summary: `${outcome.summary}, but ${why}: no findings compared` }
    }
    const exitCode = (outcome.data as { exitCode?: number | null } | undefined)?.exitCode
    if (exitCode !== 0 && findings.length === 0) {
      return { ...outcome, status: 'failed', summary: `${outcome.summary}; the report lists no finding, so the command failed for another reason` }
    }
    const baselineFile = path.resolve(ctx.cwd, o.baseline)
    const source = path.relative(ctx.cwd, baselineFile) || baselineFile
    const known = await readBaseline(baselineFile, source)
    if (!known) ctx.log(`no baseline file ${source}: every finding counts as new (write one with \`rollout baseline update ${ctx.environmentName} schema\`)`)
    const comparison = compareFindings(findings, known ?? [])
    await ctx.writeEvidence('schema-findings.json', JSON.stringify({ report: o.report.file, baseline: source, ...comparison }, null, 2), 'findings compared with the baseline')
    const data = { ...(outcome.data ?? {}), findings: comparison.current, baseline: comparison.allowed, newFindings: comparison.added.length, fixed: comparison.fixed.length }
    return { status: comparison.ok ? 'passed' : 'failed', summary: describeFindingsComparison(comparison, ctx.environmentName), data }
  },
})

export interface SchemaBaselineUpdate {
  file: string
  count: number
  previous: number | null
  added: number
  removed: number
}

/**
 * `rollout baseline update <env> schema`: runs the validation command as the step would and writes
 * the findings its report lists. Refuses when the command wrote no report, so a validator that
 * never ran cannot record "no findings".
 */
export async function updateSchemaBaseline(input: { cwd: string; environment: ResolvedEnvironment; options?: Record<string, unknown>; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<SchemaBaselineUpdate> {
  const parsed = schemaValidationOptions.safeParse(input.options ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new RolloutError('CONFIG', `schema-validation options.${issue.path.join('.')}: ${issue.message}`)
  }
  const o = parsed.data
  if (!o.report) throw new RolloutError('USAGE', 'the schema-validation step has no report option: it gates on the exit code, so there is no baseline to write', "set steps['schema-validation'].options.report (the terp preset sets it)")
  const command = o.command ?? input.environment.preflight.schemaValidation
  const dir = o.cwd ? path.resolve(input.cwd, o.cwd) : input.cwd
  const started = Date.now()
  const result = await runCommand({ command, cwd: dir, env: o.env, signal: input.signal, maxOutputBytes: 8_000_000, ...(input.env ? { baseEnv: input.env } : {}) })
  const findings = await freshFindings(dir, o.report, started).catch((error: Error) => {
    throw new RolloutError('RUN', `baseline not updated: ${error.message}`)
  })
  if (findings === null) throw new RolloutError('RUN', `baseline not updated: \`${command}\` exited ${result.exitCode ?? result.signal} and wrote no ${o.report.file}`)
  const file = path.resolve(input.cwd, o.baseline)
  const before = await readBaseline(file, o.baseline)
  const next = findingsBaselineFile(findings, command)
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`)
  await rename(temp, file)
  const diff = compareFindings(findings, before ?? [])
  return { file, count: next.count, previous: before?.length ?? null, added: diff.added.length, removed: diff.fixed.length }
}
