import path from 'node:path'
import { z } from 'zod'
import { defineStepKind, type StepContext, type StepOutcome } from '../engine/step-kind.js'
import { runCommand } from '../adapters/process/run-command.js'
import { regexSource } from '../config/regex.js'

export const commandOptions = z.strictObject({
  command: z.string().min(1),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment for the command. Use secret(env(...)) in the config for anything sensitive.'),
  expect: regexSource.optional().describe('A regular expression the combined output must match, besides exit code 0.'),
  cwd: z.string().optional().describe('Folder to run in, relative to the config\'s folder.'),
  undo: z.string().min(1).optional().describe('A command that puts back what `command` changed; a rollback runs it.'),
})
export type CommandOptions = z.output<typeof commandOptions>

/**
 * Runs a shell command as a step: its lines stream into the record, the whole output is kept as
 * evidence, and it passes on exit 0 (and the expected pattern, when one is given). Other command-like
 * steps (schema validation, unit tests, migrations) call this too.
 */
export async function runCommandStep(
  ctx: StepContext<unknown>,
  opts: { command: string; env?: Record<string, string>; expect?: string; cwd?: string; evidence?: string },
): Promise<StepOutcome & { exitCode: number | null; stdout: string; stderr: string }> {
  ctx.log(`$ ${opts.command}`)
  const result = await runCommand({
    command: opts.command,
    cwd: opts.cwd ? path.resolve(ctx.cwd, opts.cwd) : ctx.cwd,
    baseEnv: ctx.env,
    env: { ...runVariables(ctx), ...opts.env },
    signal: ctx.signal,
    onSpawn: (pid) => ctx.trackProcess(pid),
    onLine: (line) => ctx.log(line),
  })
  const transcript = `$ ${opts.command}\n${result.stdout}${result.stderr ? `\n--- stderr ---\n${result.stderr}` : ''}\n--- exit ${result.exitCode ?? result.signal} after ${Math.round(result.durationMs)} ms ---\n`
  await ctx.writeEvidence(opts.evidence ?? 'output.log', transcript, 'command output')
  const base = { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, data: { exitCode: result.exitCode, durationMs: Math.round(result.durationMs) } }
  if (result.aborted) return { ...base, status: 'failed', summary: 'stopped before it finished' }
  if (result.exitCode !== 0) {
    const last = lastLines(result.stderr || result.stdout, 3)
    return { ...base, status: 'failed', summary: `exit code ${result.exitCode ?? result.signal}${last ? `: ${last}` : ''}` }
  }
  if (opts.expect && !new RegExp(opts.expect, 'm').test(`${result.stdout}\n${result.stderr}`)) {
    return { ...base, status: 'failed', summary: `exit code 0 but the output does not match /${opts.expect}/` }
  }
  return { ...base, status: 'passed', summary: `exit code 0 in ${Math.round(result.durationMs)} ms` }
}

/** What every command learns about its run, so one script serves every release (`cd build/$ROLLOUT_RELEASE`). */
function runVariables(ctx: StepContext<unknown>): Record<string, string> {
  return {
    ROLLOUT_RUN_ID: ctx.runId,
    ROLLOUT_ENVIRONMENT: ctx.environmentName,
    ...(ctx.environment.release ? { ROLLOUT_RELEASE: ctx.environment.release } : {}),
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 300)
}

export default defineStepKind<CommandOptions>({
  kind: 'command',
  description: 'runs a shell command; passes on exit 0 and an optional expected output pattern',
  options: commandOptions,
  async run(ctx) {
    return withoutStreams(await runCommandStep(ctx, ctx.options))
  },
  canUndo: (options) => options.undo !== undefined,
  async undo(ctx) {
    return withoutStreams(await runCommandStep(ctx, { ...ctx.options, command: ctx.options.undo!, expect: undefined }))
  },
})

function withoutStreams({ exitCode: _e, stdout: _o, stderr: _s, ...outcome }: Awaited<ReturnType<typeof runCommandStep>>): StepOutcome {
  return outcome
}
