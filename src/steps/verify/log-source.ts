import { open } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import type { StepContext } from '../../engine/step-kind.js'
import type { DeployProvider, LogLine } from '../../adapters/providers/provider.js'
import { providerFor } from '../deploy/provider-for.js'
import { runCommand } from '../../adapters/process/run-command.js'
import { regexSource } from '../smoke/flow-schema.js'
import { overlay, readSection, sectionKey } from '../smoke/settings.js'
import { ERROR_LEVELS, type ErrorRules } from './error-lines.js'

/** Settings of `logs` and `logs-baseline`: the environment's `logs` section, overlaid by the step's options. */
export const logsOptions = z.strictObject({
  lines: z.number().int().min(1).max(100_000).optional().describe('How many of the newest lines to read; default 100, as `railway logs --limit 100` reads.'),
  source: z.union([z.literal('provider'), z.strictObject({ command: z.string().min(1).describe('Shell command whose output is the log, run in the config\'s folder.') }), z.strictObject({ file: z.string().min(1).describe('Log file, relative to the config\'s folder; its last lines are read.') })]).optional().describe('Where lines come from: the deploy provider (default), a command\'s output, or a file\'s end.'),
  pattern: regexSource.optional().describe('Regular expression (case-insensitive) for error lines without a level.'),
  levels: z.array(z.string().min(1)).min(1).optional().describe('Levels that count as errors for structured lines.'),
  ignore: z.array(regexSource).optional().describe('Regular expressions for known noise: matching lines are not counted.'),
  threshold: z.number().int().min(0).optional().describe('New error lines allowed before the step fails (`logs` only).'),
  baseline: z.string().min(1).optional().describe('Id of the step that sampled the logs before the deploy; default: the `logs-baseline` step that ran.'),
})
export type LogsOptions = z.output<typeof logsOptions>

export interface LogsSettings {
  lines: number
  source: NonNullable<LogsOptions['source']>
  rules: ErrorRules
  threshold: number
  baseline?: string
}

export function logsSettings(ctx: Pick<StepContext<LogsOptions>, 'options' | 'environment' | 'environmentName'>): LogsSettings {
  const section = readSection(logsOptions, ctx.environment.logs, sectionKey(ctx.environmentName, 'logs'))
  const o = overlay<LogsOptions>(section, ctx.options)
  return {
    lines: o.lines ?? 100,
    source: o.source ?? 'provider',
    rules: {
      pattern: new RegExp(o.pattern ?? '\\berror\\b', 'i'),
      levels: new Set((o.levels ?? ERROR_LEVELS).map((l) => l.toLowerCase())),
      ignore: (o.ignore ?? []).map((p) => new RegExp(p, 'i')),
    },
    threshold: o.threshold ?? 0,
    ...(o.baseline ? { baseline: o.baseline } : {}),
  }
}

/** The newest `lines` lines a provider has; `deploymentId` narrows to one deployment where the provider can. */
export async function providerLines(provider: DeployProvider, lines: number, ctx: Pick<StepContext<unknown>, 'signal' | 'log' | 'redactor'>, deploymentId?: string): Promise<LogLine[]> {
  const got = await provider.logs({ lines, signal: ctx.signal, log: (line) => ctx.log(ctx.redactor.redact(line)), ...(deploymentId ? { deploymentId } : {}) })
  return got.slice(-lines)
}


/** The last `n` lines of a file, read from its end (log files grow large). */
export async function tailFile(file: string, n: number): Promise<string[]> {
  const handle = await open(file, 'r')
  try {
    const size = (await handle.stat()).size
    let position = size
    let text = ''
    const chunk = 64 * 1024
    while (position > 0 && text.split('\n').length <= n + 1) {
      const length = Math.min(chunk, position)
      position -= length
      const buf = Buffer.alloc(length)
      await handle.read(buf, 0, length, position)
      text = buf.toString('utf8') + text
    }
    return text.split('\n').filter((l) => l.trim()).slice(-n)
  } finally {
    await handle.close()
  }
}

/** Where the lines came from, in words for a summary. */
export function describeSource(source: LogsSettings['source']): string {
  if (source === 'provider') return "the deploy provider's logs"
  return 'file' in source ? source.file : `the output of \`${source.command}\``
}

/** Reads the lines the settings point at. Throws with the reason when the source cannot be read. */
export async function fetchLines(ctx: StepContext<unknown>, s: LogsSettings): Promise<(LogLine | string)[]> {
  const source = s.source
  if (source === 'provider') {
    const provider = await providerFor(ctx, 'no log source: the environment has no provider; set logs.source to { command: "…" } or { file: "…" }')
    const deployed = ctx.outputs.get('deploy')?.deploymentId
    // After the deploy, the new deployment's lines; before it (the baseline), whatever is live.
    const id = ctx.step.phase !== 'environment' && typeof deployed === 'string' ? deployed : undefined
    ctx.log(`${provider.kind}: last ${s.lines} log lines${id ? ` of deployment ${id}` : ''}`)
    return providerLines(provider, s.lines, ctx, id)
  }
  if ('file' in source) {
    const file = path.resolve(ctx.cwd, source.file)
    ctx.log(`${file}: last ${s.lines} lines`)
    return tailFile(file, s.lines)
  }
  ctx.log(`$ ${source.command}`)
  const result = await runCommand({ command: source.command, cwd: ctx.cwd, baseEnv: ctx.env, signal: ctx.signal })
  if (result.exitCode !== 0) throw new Error(`log command exited with ${result.exitCode ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`)
  return result.stdout.split('\n').filter((l) => l.trim()).slice(-s.lines)
}
