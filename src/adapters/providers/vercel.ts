import { formatDuration } from '../../config/duration.js'
import path from 'node:path'
import { z } from 'zod'
import type { Deployment, DeployProvider, LogLine, ProviderCallOptions, ProviderContext, RollbackOptions } from './provider.js'
import { parseProviderOptions, providerDuration, readToken } from './options.js'
import { runCli, tailOf, parseJsonLoose, CliError, type CliResult } from './cli.js'
import { pollUntil } from './poll.js'
import { parseLogLines } from './command.js'

export const vercelProviderOptions = z.strictObject({
  kind: z.literal('vercel'),
  cli: z.string().min(1).default('vercel').describe('The vercel program (CLI ≥ 50.26.0 for `deploy --json`; ≥ 50.12.1 for VERCEL_TOKEN).'),
  path: z.string().optional().describe('Folder to deploy, relative to the config\'s folder.'),
  target: z.string().min(1).default('production').describe('production (`--prod`), preview, or a custom environment\'s name (`--target`).'),
  scope: z.string().min(1).optional().describe('Team slug (`--scope`).'),
  orgId: z.string().min(1).optional().describe('Passed as VERCEL_ORG_ID / VERCEL_PROJECT_ID, in place of a linked `.vercel/project.json`.'),
  projectId: z.string().min(1).optional(),
  /**
   * The domain the target serves (app.example.com). `vercel inspect <domain>` then tells exactly
   * which deployment is live; a rollback outside production re-points this domain.
   */
  domain: z.string().min(1).optional(),
  prebuilt: z.boolean().default(false).describe('Deploy a `vercel build` output (`--prebuilt`).'),
  timeout: providerDuration.default(15 * 60_000),
  pollInterval: providerDuration.default(5000),
  rollbackTimeout: providerDuration.default(3 * 60_000).describe('Passed to `vercel rollback --timeout`.'),
})
export type VercelProviderOptions = z.output<typeof vercelProviderOptions>

interface VercelDeployment {
  id?: string
  uid?: string
  url?: string
  readyState?: string
  state?: string
  target?: string | null
  createdAt?: number | string
  error?: { name?: string; message?: string }
}

const FAILED = new Set(['ERROR', 'CANCELED', 'BLOCKED'])

function toDeployment(d: VercelDeployment, fallbackId: string): Deployment {
  const state = d.readyState ?? d.state ?? 'UNKNOWN'
  const created = typeof d.createdAt === 'number' ? new Date(d.createdAt).toISOString() : d.createdAt
  const url = d.url ? (d.url.startsWith('http') ? d.url : `https://${d.url}`) : undefined
  // List items carry `uid`, single deployments `id`: Vercel's REST API names them differently.
  return { id: d.id ?? d.uid ?? fallbackId, status: state, live: state === 'READY', createdAt: created, url }
}

/**
 * Vercel through its CLI. The token reaches the CLI as VERCEL_TOKEN in its environment, never as
 * `--token` on the command line. `vercel rollback` is production-only and needs its target id
 * (with no argument it only shows status), so a rollback always names the deployment.
 */
export function createVercelProvider(config: Record<string, unknown>, ctx: ProviderContext): DeployProvider {
  const o = parseProviderOptions(vercelProviderOptions, config)
  readToken(ctx.env, ['VERCEL_TOKEN'], ctx.redactor)
  const env = {
    ...ctx.env,
    ...(o.orgId ? { VERCEL_ORG_ID: o.orgId } : {}),
    ...(o.projectId ? { VERCEL_PROJECT_ID: o.projectId } : {}),
  }
  const scope = o.scope ? ['--scope', o.scope] : []
  const production = o.target === 'production'

  async function cli(label: string, args: string[], opts: ProviderCallOptions, acceptExit: number[] = [0], quiet = false): Promise<CliResult> {
    const result = await runCli({
      argv: [o.cli, ...args, ...scope],
      cwd: ctx.cwd,
      env,
      signal: opts.signal,
      onSpawn: opts.onSpawn,
      timeoutMs: o.timeout,
      // Queries repeated while waiting stay out of the log; their answers are logged where they matter.
      log: quiet ? undefined : (line) => opts.log(ctx.redactor.redact(line)),
      label,
    })
    if (!acceptExit.includes(result.exitCode ?? -1)) throw new CliError(explainFailure(label, result, ctx), result)
    return result
  }

  async function status(idOrUrl: string, opts: ProviderCallOptions): Promise<Deployment> {
    // inspect exits 1 for an ERROR or CANCELED deployment but still prints it.
    const result = await cli('vercel inspect', ['inspect', idOrUrl, '--json'], opts, [0, 1], true)
    const d = parseJsonLoose(result.stdout) as VercelDeployment | undefined
    if (!d || typeof d !== 'object' || !(d.readyState ?? d.state)) throw new CliError(explainFailure('vercel inspect', result, ctx), result)
    return toDeployment(d, idOrUrl)
  }

  return {
    kind: 'vercel',
    async current(opts) {
      if (o.domain) return status(o.domain, opts)
      // Without a domain: the newest READY deployment of the target. After an earlier rollback
      // that may not be the one serving traffic; set provider.domain to be exact.
      const filter = production ? ['--prod'] : ['--environment', o.target]
      const result = await cli('vercel list', ['list', '--json', '--status', 'READY', ...filter], opts, [0], true)
      const body = parseJsonLoose(result.stdout) as { deployments?: VercelDeployment[] } | undefined
      const first = body?.deployments?.[0]
      return first ? toDeployment(first, '') : null
    },
    async deploy(release, opts) {
      const args = ['deploy', ...(o.path ? [path.resolve(ctx.cwd, o.path)] : []), '--yes', '--no-wait', '--json']
      if (production) args.push('--prod')
      else if (o.target !== 'preview') args.push('--target', o.target)
      if (o.prebuilt) args.push('--prebuilt')
      args.push('--meta', `rolloutRelease=${release}`)
      const result = await cli('vercel deploy', args, opts, [0, 1])
      const out = parseJsonLoose(result.stdout) as VercelDeployment | undefined
      if (out && typeof out === 'object' && out.error) {
        throw new CliError(`vercel deploy failed: ${out.error.name ?? 'error'}: ${out.error.message ?? ''}`.trim(), result)
      }
      if (result.exitCode !== 0) throw new CliError(explainFailure('vercel deploy', result, ctx), result)
      if (out && typeof out === 'object' && out.id) return { ...toDeployment(out, out.id), live: false, release }
      // Without --json support the CLI prints only the URL (no trailing newline); the URL is an id too.
      const urlLine = result.stdout.trim().split('\n').at(-1)?.trim()
      if (urlLine && /^https:\/\//.test(urlLine)) return { id: urlLine, status: 'QUEUED', live: false, url: urlLine, release }
      throw new Error(`vercel deploy printed no deployment: ${result.stdout.slice(0, 200)}`)
    },
    async waitUntilLive(deploymentId, opts) {
      return pollUntil({
        check: async () => {
          const d = await status(deploymentId, opts)
          if (FAILED.has(d.status)) throw new Error(`Vercel deployment ${deploymentId} ended as ${d.status} (see: vercel inspect ${deploymentId} --logs)`)
          return { done: d.live, value: d, note: d.status }
        },
        intervalMs: o.pollInterval,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onChange: (note) => opts.log(`deployment ${deploymentId}: ${note}`),
        timeoutMessage: (last) => `Vercel deployment ${deploymentId} was not READY after ${formatDuration(opts.timeoutMs)} (last state: ${last ?? 'none'})`,
      })
    },
    async rollback(deploymentId, opts: RollbackOptions) {
      if (production) {
        // Exit 0 once the rollback job succeeded; 1 when it failed or timed out.
        await cli('vercel rollback', ['rollback', deploymentId, '--yes', '--timeout', `${Math.round(o.rollbackTimeout / 1000)}s`], opts)
        return status(deploymentId, opts)
      }
      // Rollback and promote work on production only: elsewhere, point the domain back.
      if (!o.domain) {
        throw new Error(`vercel rollback works on production only; for target "${o.target}" set provider.domain so the rollback can point it back at the earlier deployment`)
      }
      const target = await status(deploymentId, opts)
      await cli('vercel alias set', ['alias', 'set', target.url ?? deploymentId, o.domain], opts)
      return target
    },
    status,
    async logs(opts): Promise<LogLine[]> {
      // Query mode (CLI ≥ 50.12.0): recent logs, JSON lines, then exit; --follow would stream.
      const args = ['logs', ...(opts.deploymentId ? ['--deployment', opts.deploymentId] : ['--environment', o.target]), '--json', '-n', String(opts.lines)]
      const result = await cli('vercel logs', args, opts, [0], true)
      return parseLogLines(result.stdout).slice(-opts.lines)
    },
  }
}

function explainFailure(label: string, result: CliResult, ctx: ProviderContext): string {
  // The version banner opens every stderr; it says nothing about the failure.
  const tail = ctx.redactor.redact(tailOf(result, 3, /^Vercel CLI \d/))
  if (/no existing credentials|vercel login|not authorized|invalid token|token is not valid|missing token/i.test(`${result.stderr}\n${result.stdout}`)) {
    return `${label}: not logged in to Vercel (set VERCEL_TOKEN; CLI ≥ 50.12.1 reads it): ${tail}`
  }
  return `${label} failed (exit ${result.exitCode}): ${tail}`
}

export default createVercelProvider
