import { formatDuration } from '../../config/duration.js'
import path from 'node:path'
import { z } from 'zod'
import type { Deployment, DeployProvider, LogLine, ProviderCallOptions, ProviderContext, RollbackOptions } from './provider.js'
import { parseProviderOptions, providerDuration } from './options.js'
import { runCli, tailOf, parseJsonLoose, CliError, type CliResult } from './cli.js'
import { pollUntil } from './poll.js'

export const commandProviderOptions = z.strictObject({
  kind: z.literal('command'),
  deploy: z.string().min(1).describe('Starts a deployment of {release}; prints its id (last non-empty line, or JSON with `id`).'),
  rollback: z.string().min(1).optional().describe('Makes {deploymentId} (the earlier deployment) live again. Without it a deploy cannot be undone.'),
  takeDown: z.string().min(1).optional().describe('Stops serving {deploymentId}: the undo of a first deploy (`run --first`), when nothing was live before it.'),
  status: z.string().min(1).optional().describe('Prints the state of {deploymentId}: a word (live, failed, building…) or JSON `{status, live}`.'),
  current: z.string().min(1).optional().describe('Prints the id of what is live now, recorded before a deploy so a rollback knows its target.'),
  logs: z.string().min(1).optional().describe('Prints recent log lines ({lines} of them, of {deploymentId}); JSON lines are understood too.'),
  cwd: z.string().optional().describe('Folder the commands run in, relative to the config\'s folder.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment for every command.'),
  timeout: providerDuration.default(15 * 60_000).describe('How long one command may run.'),
  pollInterval: providerDuration.default(5000).describe('Pause between status commands while waiting for a deployment.'),
})
export type CommandProviderOptions = z.output<typeof commandProviderOptions>

type Values = Partial<Record<'release' | 'deploymentId' | 'previousDeploymentId' | 'environment' | 'lines', string>>

/**
 * Puts values into a command. Each value is shell-quoted, so a release name or an id printed by
 * another command can never add shell syntax; the same values are also in the environment as
 * ROLLOUT_RELEASE, ROLLOUT_DEPLOYMENT_ID, ROLLOUT_PREVIOUS_DEPLOYMENT_ID, ROLLOUT_ENVIRONMENT.
 */
export function fillPlaceholders(template: string, values: Values): string {
  return template.replace(/\{(release|deploymentId|previousDeploymentId|environment|lines)\}/g, (whole, name: keyof Values) => {
    const value = values[name]
    if (value === undefined) throw new Error(`the command uses {${name}} but there is no value for it here: ${template}`)
    return shellQuote(value)
  })
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

function envOf(values: Values): Record<string, string> {
  const out: Record<string, string> = {}
  if (values.release !== undefined) out.ROLLOUT_RELEASE = values.release
  if (values.deploymentId !== undefined) out.ROLLOUT_DEPLOYMENT_ID = values.deploymentId
  if (values.previousDeploymentId !== undefined) out.ROLLOUT_PREVIOUS_DEPLOYMENT_ID = values.previousDeploymentId
  if (values.environment !== undefined) out.ROLLOUT_ENVIRONMENT = values.environment
  return out
}

/** A deployment id from a command's output: JSON `{id}` / `{deploymentId}`, else the last non-empty line. */
export function parseDeploymentOutput(stdout: string): { id: string; status?: string; url?: string } | null {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
  const last = lines.at(-1)
  if (!last) return null
  const json = parseJsonLoose(stdout)
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>
    const id = o.id ?? o.deploymentId
    if (typeof id === 'string' || typeof id === 'number') {
      return { id: String(id), status: typeof o.status === 'string' ? o.status : undefined, url: typeof o.url === 'string' ? o.url : undefined }
    }
  }
  return { id: last }
}

const LIVE = /^(live|active|success|succeeded|ready|ok|running|healthy|deployed)$/i
const FAILED = /^(fail|failed|failure|error|errored|crashed|canceled|cancelled|removed)$/i

/** A status command's answer: JSON `{status, live?}` or a word on the last line. */
export function parseStatusOutput(stdout: string): { status: string; live: boolean; failed: boolean } {
  const json = parseJsonLoose(stdout)
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>
    const status = String(o.status ?? o.state ?? 'unknown')
    const live = typeof o.live === 'boolean' ? o.live : LIVE.test(status)
    return { status, live, failed: !live && FAILED.test(status) }
  }
  const word = stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? 'unknown'
  return { status: word, live: LIVE.test(word), failed: FAILED.test(word) }
}

/** The team's own shell commands: deploy, rollback, status, current and logs. */
export function createCommandProvider(config: Record<string, unknown>, ctx: ProviderContext): DeployProvider {
  const o = parseProviderOptions(commandProviderOptions, config)
  const cwd = o.cwd ? path.resolve(ctx.cwd, o.cwd) : ctx.cwd
  const environment = ctx.environmentName

  async function run(which: string, template: string, values: Values, opts: ProviderCallOptions, quiet = false): Promise<CliResult> {
    const command = fillPlaceholders(template, { environment, ...values })
    const result = await runCli({
      argv: ['/bin/sh', '-c', command],
      cwd,
      env: { ...ctx.env, ...o.env, ...envOf({ environment, ...values }) },
      signal: opts.signal,
      onSpawn: opts.onSpawn,
      timeoutMs: o.timeout,
      // Queries repeated while waiting stay out of the log; their answers are logged where they matter.
      log: quiet ? undefined : (line) => opts.log(ctx.redactor.redact(line)),
      label: `the ${which} command`,
    })
    if (result.exitCode !== 0) {
      throw new CliError(`the ${which} command failed (exit ${result.exitCode}): ${ctx.redactor.redact(tailOf(result))}`, result)
    }
    return result
  }

  async function look(deploymentId: string, opts: ProviderCallOptions): Promise<{ deployment: Deployment; failed: boolean }> {
    if (!o.status) return { deployment: { id: deploymentId, status: 'unknown', live: true }, failed: false }
    const result = await run('status', o.status, { deploymentId }, opts, true)
    const s = parseStatusOutput(result.stdout)
    return { deployment: { id: deploymentId, status: s.status, live: s.live }, failed: s.failed }
  }
  const status = async (deploymentId: string, opts: ProviderCallOptions) => (await look(deploymentId, opts)).deployment

  return {
    kind: 'command',
    async current(opts) {
      if (!o.current) return null
      const result = await run('current', o.current, {}, opts)
      const parsed = parseDeploymentOutput(result.stdout)
      return parsed ? { id: parsed.id, status: parsed.status ?? 'live', live: true, url: parsed.url } : null
    },
    async deploy(release, opts) {
      const result = await run('deploy', o.deploy, { release }, opts)
      const parsed = parseDeploymentOutput(result.stdout)
      if (!parsed) throw new Error('the deploy command succeeded but printed no deployment id (expected it on the last line, or JSON {"id": …})')
      return { id: parsed.id, status: parsed.status ?? 'deployed', live: false, url: parsed.url, release }
    },
    async waitUntilLive(deploymentId, opts) {
      // Without a status command the deploy command is taken to return once the release is out;
      // the wait-live step still checks the version the app reports.
      if (!o.status) return { id: deploymentId, status: 'deployed', live: true }
      return pollUntil({
        check: async () => {
          const { deployment: d, failed } = await look(deploymentId, opts)
          if (failed) throw new Error(`deployment ${deploymentId} ended as ${d.status}`)
          return { done: d.live, value: d, note: d.status }
        },
        intervalMs: o.pollInterval,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onChange: (note) => opts.log(`deployment ${deploymentId}: ${note}`),
        timeoutMessage: (last) => `deployment ${deploymentId} was not live after ${formatDuration(opts.timeoutMs)} (last status: ${last ?? 'none'})`,
      })
    },
    async rollback(deploymentId, opts: RollbackOptions) {
      if (!o.rollback) throw new Error('provider.rollback is not set: there is no command to roll the deployment back')
      // {deploymentId} and {previousDeploymentId} both name the target: the deployment to make live.
      await run('rollback', o.rollback, { deploymentId, previousDeploymentId: deploymentId }, opts)
      return status(deploymentId, opts)
    },
    status,
    ...(o.takeDown
      ? {
          async takeDown(deploymentId: string, opts: ProviderCallOptions) {
            await run('takeDown', o.takeDown!, { deploymentId }, opts)
          },
        }
      : {}),
    async logs(opts) {
      if (!o.logs) return []
      const result = await run('logs', o.logs, { lines: String(opts.lines), deploymentId: opts.deploymentId ?? '' }, opts, true)
      return parseLogLines(result.stdout).slice(-opts.lines)
    },
  }
}

/** Log output: JSON lines ({timestamp, level, message}) or plain text, one entry a line. */
export function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    if (line.trimStart().startsWith('{')) {
      try {
        const o = JSON.parse(line) as Record<string, unknown>
        const ts = o.timestamp ?? o.time ?? o.ts
        out.push({
          timestamp: typeof ts === 'number' ? new Date(ts).toISOString() : typeof ts === 'string' ? ts : undefined,
          level: typeof o.level === 'string' ? o.level : typeof o.severity === 'string' ? o.severity : undefined,
          message: typeof o.message === 'string' ? o.message : typeof o.msg === 'string' ? o.msg : line,
        })
        continue
      } catch {
        // not JSON after all
      }
    }
    out.push({ message: line })
  }
  return out
}

export default createCommandProvider
