import { rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { readIfExists } from '../../adapters/fs/read-if-exists.js'
import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { RolloutError } from '../../shared/errors.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import { runCommand, type CommandResult } from '../../adapters/process/run-command.js'
import { errorsOnly, parseTscOutput, type TscDiagnostic } from './typescript-diagnostics.js'
import { baselineFileFor, compareWithBaseline, describeComparison, parseBaseline, type Baseline } from './typescript-baseline-file.js'

export const typescriptBaselineOptions = z.strictObject({
  command: z.string().min(1).optional().describe('The type-check command; by default the environment\'s `preflight.typecheck`.'),
  baseline: z.union([z.string().min(1), z.number().int().min(0)]).default('typescript-baseline.json').describe('Baseline file (relative to the config\'s folder), or the allowed number of errors itself.'),
  cwd: z.string().optional().describe('Folder the command runs in, relative to the config\'s folder; file names in the baseline are relative to it.'),
})
export type TypescriptBaselineOptions = z.output<typeof typescriptBaselineOptions>

interface TypecheckRun {
  command: string
  cwd: string
  result: CommandResult
  diagnostics: TscDiagnostic[]
}

/** Runs the type-check and parses what it printed; a command that failed without any diagnostic throws. */
async function typecheck(root: string, environment: ResolvedEnvironment, o: TypescriptBaselineOptions, env: NodeJS.ProcessEnv | undefined, signal?: AbortSignal): Promise<TypecheckRun> {
  const command = o.command ?? environment.preflight.typecheck
  const cwd = o.cwd ? path.resolve(root, o.cwd) : root
  const result = await runCommand({ command, cwd, signal, maxOutputBytes: 8_000_000, ...(env ? { baseEnv: env } : {}) })
  const diagnostics = parseTscOutput(`${result.stdout}\n${result.stderr}`, cwd)
  return { command, cwd, result, diagnostics }
}

function commandProblem(run: TypecheckRun): string | null {
  if (run.result.aborted) return `\`${run.command}\` was stopped before it finished`
  if (run.result.exitCode !== 0 && errorsOnly(run.diagnostics).length === 0) {
    const tail = (run.result.stderr || run.result.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300)
    return `\`${run.command}\` exited ${run.result.exitCode ?? run.result.signal} without printing any TypeScript diagnostic${tail ? `: ${tail}` : ''}`
  }
  return null
}

function transcript(run: TypecheckRun): string {
  return `$ ${run.command}\n${run.result.stdout}${run.result.stderr ? `\n--- stderr ---\n${run.result.stderr}` : ''}\n--- exit ${run.result.exitCode ?? run.result.signal} after ${Math.round(run.result.durationMs)} ms ---\n`
}

async function readBaseline(file: string): Promise<{ baseline: Baseline; text: string } | null> {
  const text = await readIfExists(file)
  if (text === null) return null
  return { baseline: parseBaseline(text, file), text }
}

export default defineStepKind<TypescriptBaselineOptions>({
  kind: 'typescript-baseline',
  description: 'runs the type-check and fails on TypeScript errors the committed baseline does not list',
  options: typescriptBaselineOptions,
  async run(ctx) {
    const o = ctx.options
    const run = await typecheck(ctx.cwd, ctx.environment, o, ctx.env, ctx.signal)
    ctx.log(`$ ${run.command} → exit ${run.result.exitCode ?? run.result.signal}, ${errorsOnly(run.diagnostics).length} errors`)
    await ctx.writeEvidence('typecheck.log', transcript(run), 'type-check output')
    const problem = commandProblem(run)
    if (problem) return { status: 'failed', summary: problem, data: { exitCode: run.result.exitCode } }

    let baseline: Baseline
    let source: string
    if (typeof o.baseline === 'number') {
      baseline = { kind: 'count', count: o.baseline }
      source = 'options.baseline'
    } else {
      const file = path.resolve(ctx.cwd, o.baseline)
      source = path.relative(ctx.cwd, file) || file
      const read = await readBaseline(file)
      if (!read) ctx.log(`no baseline file ${source}: every error counts as new (write one with \`rollout baseline update\`)`)
      baseline = read?.baseline ?? { kind: 'errors', errors: [] }
    }
    const comparison = compareWithBaseline(run.diagnostics, baseline)
    await ctx.writeEvidence('typescript-baseline.json', JSON.stringify({ command: run.command, baseline: source, ...comparison }, null, 2), 'comparison with the baseline')
    const data = { errors: comparison.current, baseline: comparison.allowed, baselineKind: comparison.kind, newErrors: comparison.newErrors.length, fixed: comparison.fixed.length }
    return { status: comparison.ok ? 'passed' : 'failed', summary: describeComparison(comparison), data }
  },
})

export interface BaselineUpdateInput {
  /** The config's folder. */
  cwd: string
  environment: ResolvedEnvironment
  /** The typescript-baseline step's options as written in the config (validated here). */
  options?: Record<string, unknown>
  signal?: AbortSignal
  log?: (line: string) => void
  /** The variables the command runs with; default this process's. */
  env?: NodeJS.ProcessEnv
}

export interface BaselineUpdateResult {
  file: string
  /** 'count' when the existing file held a plain number (kept that way for scripts reading it). */
  format: 'errors' | 'count'
  count: number
  previous: number | null
  added: number
  removed: number
}

/**
 * `rollout baseline update`: runs the type-check and rewrites the baseline file with today's errors.
 * Refuses when the command failed without diagnostics, so a missing compiler never writes "0 errors".
 */
export async function updateTypescriptBaseline(input: BaselineUpdateInput): Promise<BaselineUpdateResult> {
  const parsed = typescriptBaselineOptions.safeParse(input.options ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new RolloutError('CONFIG', `typescript-baseline options.${issue.path.join('.')}: ${issue.message}`)
  }
  const o = parsed.data
  if (typeof o.baseline === 'number') {
    throw new RolloutError('USAGE', `the TypeScript baseline is the number ${o.baseline} written in the config (options.baseline), not a file; change it there`)
  }
  const file = path.resolve(input.cwd, o.baseline)
  const before = await readBaseline(file)
  const run = await typecheck(input.cwd, input.environment, o, input.env, input.signal)
  input.log?.(`$ ${run.command} → exit ${run.result.exitCode ?? run.result.signal}`)
  const problem = commandProblem(run)
  if (problem) throw new RolloutError('RUN', `baseline not updated: ${problem}`)

  const next = baselineFileFor(run.diagnostics, run.command)
  const format = before?.baseline.kind === 'count' ? 'count' : 'errors'
  const text = format === 'count' ? `${next.count}\n` : `${JSON.stringify(next, null, 2)}\n`
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, text)
  await rename(temp, file)

  const previous = before ? (before.baseline.kind === 'count' ? before.baseline.count : before.baseline.errors.length) : null
  const diff = before?.baseline.kind === 'errors' ? compareWithBaseline(run.diagnostics, before.baseline) : null
  return {
    file,
    format,
    count: next.count,
    previous,
    added: diff ? diff.newErrors.length : Math.max(0, next.count - (previous ?? 0)),
    removed: diff ? diff.fixed.length : Math.max(0, (previous ?? 0) - next.count),
  }
}
