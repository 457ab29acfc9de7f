import { formatDuration } from '../../config/duration.js'
import path from 'node:path'
import { z } from 'zod'
import type { Deployment, DeployProvider, LogLine, ProviderCallOptions, ProviderContext, RollbackOptions } from './provider.js'
import { parseProviderOptions, providerDuration, readToken } from './options.js'
import { runCli, tailOf, parseJsonLoose, CliError, type CliResult } from './cli.js'
import { requestJson, ApiError } from './api.js'
import { pollUntil, sleep } from './poll.js'
import { parseLogLines } from './command.js'

export const railwayProviderOptions = z.strictObject({
  kind: z.literal('railway'),
  service: z.string().min(1).optional().describe('Service name or id (`--service`); needed with a project token.'),
  environment: z.string().min(1).optional().describe('Environment name or id (`--environment`); a project token already names one.'),
  project: z.string().min(1).optional().describe('Project id (`--project`); the CLI then needs `environment` too.'),
  path: z.string().optional().describe('Folder `railway up` uploads, relative to the config\'s folder.'),
  cli: z.string().min(1).default('railway').describe('The railway program.'),
  apiUrl: z.string().url().default('https://backboard.railway.com/graphql/v2').describe('Railway\'s public GraphQL endpoint.'),
  timeout: providerDuration.default(15 * 60_000).describe('How long one CLI call may run (the upload of `railway up` included).'),
  pollInterval: providerDuration.default(5000),
}).refine((o) => !o.project || o.environment, { message: 'required when provider.project is set (railway up --project needs --environment)', path: ['environment'] })
export type RailwayProviderOptions = z.output<typeof railwayProviderOptions>

/** DeploymentStatus values (introspected schema): which are live, which failed, which ended otherwise. */
const LIVE = new Set(['SUCCESS', 'SLEEPING'])
const FAILED = new Set(['FAILED', 'CRASHED'])
const ENDED = new Set(['REMOVED', 'SKIPPED'])

interface GqlDeployment {
  id: string
  status: string
  canRollback?: boolean
  createdAt?: string
  url?: string | null
  staticUrl?: string | null
}

function toDeployment(d: GqlDeployment): Deployment {
  const url = d.url ?? (d.staticUrl ? `https://${d.staticUrl}` : undefined)
  return { id: d.id, status: d.status, live: LIVE.has(d.status), createdAt: d.createdAt, url: url ?? undefined }
}

/**
 * Railway: `railway up --detach --json` to deploy (attached CI mode can exit 0 before the deploy
 * has finished), the GraphQL API to follow a deployment and to roll back (the CLI
 * has no rollback command), `railway deployment list` / `railway logs` for the rest.
 */
export function createRailwayProvider(config: Record<string, unknown>, ctx: ProviderContext): DeployProvider {
  const o = parseProviderOptions(railwayProviderOptions, config)
  // A project token (one environment) goes in Project-Access-Token; an account or workspace token
  // is a Bearer token. Either is read here only for the API; the CLI reads the same variables itself.
  const token = readToken(ctx.env, ['RAILWAY_TOKEN', 'RAILWAY_API_TOKEN'], ctx.redactor)
  const scope = [...(o.service ? ['--service', o.service] : []), ...(o.environment ? ['--environment', o.environment] : [])]

  async function cli(label: string, args: string[], opts: ProviderCallOptions, quiet = false): Promise<CliResult> {
    const result = await runCli({
      argv: [o.cli, ...args],
      cwd: ctx.cwd,
      env: ctx.env,
      signal: opts.signal,
      onSpawn: opts.onSpawn,
      timeoutMs: o.timeout,
      // Queries repeated while waiting stay out of the log; their answers are logged where they matter.
      log: quiet ? undefined : (line) => opts.log(ctx.redactor.redact(line)),
      label,
    })
    if (result.exitCode !== 0) throw new CliError(explainFailure(label, result, ctx), result)
    return result
  }

  async function gql<T>(query: string, variables: Record<string, unknown>, opts: ProviderCallOptions): Promise<T> {
    if (!token) throw new Error('neither RAILWAY_TOKEN nor RAILWAY_API_TOKEN is set: the Railway API needs one to follow and roll back deployments')
    const answer = await requestJson({
      method: 'POST',
      url: o.apiUrl,
      headers: token.name === 'RAILWAY_TOKEN' ? { 'project-access-token': token.value } : { authorization: `Bearer ${token.value}` },
      body: { query, variables },
      signal: opts.signal,
      resolve: ctx.resolve,
      log: opts.log,
    })
    const body = answer.json as { data?: T | null; errors?: { message?: string }[] } | undefined
    // GraphQL errors come with HTTP 200 and `data: null`.
    if (body?.errors?.length) {
      throw new ApiError(`Railway API: ${body.errors.map((e) => e.message ?? 'error').join('; ')}`, answer.status, body)
    }
    if (answer.status < 200 || answer.status >= 300 || !body?.data) {
      throw new ApiError(`Railway API answered HTTP ${answer.status}: ${answer.text.slice(0, 200)}`, answer.status, body)
    }
    return body.data
  }

  async function status(deploymentId: string, opts: ProviderCallOptions): Promise<Deployment> {
    // Logged in through `railway login` and no token in the environment: the CLI's list answers.
    if (!token) {
      const found = (await list(opts, 50)).find((d) => d.id === deploymentId)
      if (!found) throw new Error(`Railway lists no deployment ${deploymentId} among the service's last 50`)
      return found
    }
    const data = await gql<{ deployment: GqlDeployment | null }>(
      'query($id: String!) { deployment(id: $id) { id status canRollback createdAt url staticUrl } }',
      { id: deploymentId },
      opts,
    )
    if (!data.deployment) throw new Error(`Railway has no deployment ${deploymentId}`)
    return toDeployment(data.deployment)
  }

  async function list(opts: ProviderCallOptions, limit = 20): Promise<Deployment[]> {
    const result = await cli('railway deployment list', ['deployment', 'list', '--json', '--limit', String(limit), ...scope], opts, true)
    const items = parseJsonLoose(result.stdout)
    if (!Array.isArray(items)) throw new Error(`railway deployment list printed no JSON list: ${result.stdout.slice(0, 200)}`)
    // Newest first, as the CLI prints them.
    return (items as GqlDeployment[]).map(toDeployment)
  }

  return {
    kind: 'railway',
    async current(opts) {
      return (await list(opts)).find((d) => d.live) ?? null
    },
    async deploy(release, opts) {
      const args = ['up', ...(o.path ? [path.resolve(ctx.cwd, o.path)] : []), '--detach', '--json', ...scope, ...(o.project ? ['--project', o.project] : [])]
      // `railway up` uploads the folder as it is; the release travels in the deployment message.
      args.push('--message', `rollout ${release}`)
      const result = await cli('railway up', args, opts)
      const out = parseJsonLoose(result.stdout) as { deploymentId?: string; logsUrl?: string } | undefined
      if (!out?.deploymentId) throw new Error(`railway up printed no deployment id: ${result.stdout.slice(0, 200)}`)
      opts.log(`deployment ${out.deploymentId} started${out.logsUrl ? ` (build logs: ${out.logsUrl})` : ''}`)
      return { id: out.deploymentId, status: 'QUEUED', live: false, release }
    },
    async waitUntilLive(deploymentId, opts) {
      return pollUntil({
        check: async () => {
          const d = await status(deploymentId, opts)
          if (FAILED.has(d.status)) throw new Error(`Railway deployment ${deploymentId} ${d.status} (see: railway logs --build ${deploymentId})`)
          if (ENDED.has(d.status)) throw new Error(`Railway deployment ${deploymentId} ended as ${d.status} without going live`)
          return { done: d.live, value: d, note: d.status }
        },
        intervalMs: o.pollInterval,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onChange: (note) => opts.log(`deployment ${deploymentId}: ${note}`),
        timeoutMessage: (last) => `Railway deployment ${deploymentId} was not live after ${formatDuration(opts.timeoutMs)} (last status: ${last ?? 'none'})`,
      })
    },
    async rollback(deploymentId, opts: RollbackOptions) {
      const data = await gql<{ deployment: GqlDeployment | null }>(
        'query($id: String!) { deployment(id: $id) { id status canRollback createdAt url staticUrl } }',
        { id: deploymentId },
        opts,
      )
      if (!data.deployment) throw new Error(`Railway has no deployment ${deploymentId} to roll back to`)
      const target = toDeployment(data.deployment)
      if (target.live) {
        opts.log(`deployment ${deploymentId} is already live (${target.status}); nothing to roll back`)
        return target
      }
      // Only a deployment Railway marks canRollback can be rolled back to.
      if (data.deployment.canRollback === false) {
        throw new Error(`Railway does not allow a rollback to deployment ${deploymentId} (canRollback: false; status ${target.status})`)
      }
      const newestBefore = (await list(opts, 5))[0]?.id
      // deploymentRollback returns a plain Boolean (a `{ id status }` selection on it is invalid).
      const done = await gql<{ deploymentRollback: boolean }>('mutation($id: String!) { deploymentRollback(id: $id) }', { id: deploymentId }, opts)
      if (!done.deploymentRollback) throw new Error(`Railway refused the rollback to deployment ${deploymentId}`)
      opts.log(`rollback to deployment ${deploymentId} requested`)
      // The rollback may run as a new deployment: follow that one when it shows up in the list.
      for (let i = 0; i < 5; i++) {
        const newest = (await list(opts, 5))[0]
        if (newest && newest.id !== newestBefore && newest.id !== deploymentId) {
          opts.log(`rollback runs as deployment ${newest.id}`)
          return newest
        }
        if (newest?.id === deploymentId && newest.live) return newest
        await sleep(Math.min(o.pollInterval, 2000), opts.signal)
      }
      return { ...target, status: 'ROLLBACK_REQUESTED', live: false }
    },
    status,
    async logs(opts): Promise<LogLine[]> {
      // Non-interactive with a line limit, `railway logs` fetches and exits instead of streaming.
      const args = ['logs', ...(opts.deploymentId ? [opts.deploymentId] : scope), '--json', '--lines', String(opts.lines)]
      const result = await cli('railway logs', args, opts, true)
      return parseLogLines(result.stdout).slice(-opts.lines)
    },
  }
}

/** A failed CLI call in words, with the fix when it is a missing login. */
function explainFailure(label: string, result: CliResult, ctx: ProviderContext): string {
  const tail = ctx.redactor.redact(tailOf(result))
  if (/unauthori[sz]ed|not logged in|railway login|invalid .*token/i.test(`${result.stderr}\n${result.stdout}`)) {
    return `${label}: not logged in to Railway (set RAILWAY_TOKEN to a project token, or RAILWAY_API_TOKEN): ${tail}`
  }
  return `${label} failed (exit ${result.exitCode}): ${tail}`
}

export default createRailwayProvider
