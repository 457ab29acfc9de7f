import { formatDuration } from '../../config/duration.js'
import { z } from 'zod'
import type { Deployment, DeployProvider, LogLine, ProviderCallOptions, ProviderContext, RollbackOptions } from './provider.js'
import { parseProviderOptions, providerDuration, readToken } from './options.js'
import { requestJson, ApiError } from './api.js'
import { pollUntil, withChildSignal } from './poll.js'
import { httpRequest } from '../http/request.js'

export const digitalOceanProviderOptions = z.strictObject({
  kind: z.literal('digitalocean'),
  app: z.string().min(1).describe('The App Platform app\'s id (doctl apps list).'),
  component: z.string().min(1).optional().describe('Component whose run logs `logs` reads; the deployment\'s first service when not set.'),
  forceBuild: z.boolean().default(false).describe('Rebuild from source even when the commit did not change (`force_build`).'),
  /**
   * false (default): a rollback pins the app, so no push-to-deploy brings the broken version back
   * until someone commits or reverts the rollback. true: the rollback is committed at once.
   */
  skipPin: z.boolean().default(false),
  apiUrl: z.string().url().default('https://api.digitalocean.com'),
  pollInterval: providerDuration.default(5000),
})
export type DigitalOceanProviderOptions = z.output<typeof digitalOceanProviderOptions>

interface DoDeployment {
  id: string
  cause?: string
  phase?: string
  created_at?: string
  progress?: { steps?: { name?: string; status?: string; reason?: { code?: string; message?: string } }[] }
  services?: { name?: string; source_commit_hash?: string }[]
}

interface DoApp {
  id?: string
  live_url?: string
  active_deployment?: DoDeployment | null
  in_progress_deployment?: DoDeployment | null
  pinned_deployment?: DoDeployment | null
}

const FAILED = new Set(['ERROR', 'CANCELED'])

function toDeployment(d: DoDeployment): Deployment {
  const phase = d.phase ?? 'UNKNOWN'
  return { id: d.id, status: phase, live: phase === 'ACTIVE', createdAt: d.created_at }
}

/** Names of the steps that failed, for the error message of a deployment that ended in ERROR. */
function failedSteps(d: DoDeployment): string {
  const failed = (d.progress?.steps ?? []).filter((s) => s.status === 'ERROR')
  return failed.map((s) => `${s.name}${s.reason?.message ? `: ${s.reason.message}` : ''}`).join('; ')
}

/**
 * DigitalOcean App Platform through its REST API (doctl has no rollback command). A deployment
 * builds what the app spec points at (a branch head or an image tag): the release name is
 * recorded, and the wait-live step checks that the app reports it.
 */
export function createDigitalOceanProvider(config: Record<string, unknown>, ctx: ProviderContext): DeployProvider {
  const o = parseProviderOptions(digitalOceanProviderOptions, config)
  const token = readToken(ctx.env, ['DIGITALOCEAN_ACCESS_TOKEN', 'DIGITALOCEAN_TOKEN'], ctx.redactor)
  const base = `${o.apiUrl.replace(/\/$/, '')}/v2/apps/${encodeURIComponent(o.app)}`

  async function api<T>(method: 'GET' | 'POST', suffix: string, opts: ProviderCallOptions, body?: unknown): Promise<T> {
    if (!token) throw new Error('DIGITALOCEAN_ACCESS_TOKEN is not set: the App Platform API needs a token')
    const answer = await requestJson({
      method,
      url: `${base}${suffix}`,
      headers: { authorization: `Bearer ${token.value}` },
      body,
      signal: opts.signal,
      resolve: ctx.resolve,
      log: opts.log,
    })
    if (answer.status < 200 || answer.status >= 300) {
      // Errors: {"id":"not_found","message":"…","request_id":"…"}
      const e = answer.json as { id?: string; message?: string; request_id?: string } | undefined
      const what = e?.message ? `${e.id ?? 'error'}: ${e.message}` : answer.text.slice(0, 200)
      throw new ApiError(`DigitalOcean ${method} ${suffix || '/'} answered HTTP ${answer.status} (${what})${e?.request_id ? ` [request ${e.request_id}]` : ''}`, answer.status, answer.json)
    }
    return answer.json as T
  }

  async function getApp(opts: ProviderCallOptions): Promise<DoApp> {
    return (await api<{ app: DoApp }>('GET', '', opts)).app
  }

  async function status(deploymentId: string, opts: ProviderCallOptions): Promise<Deployment> {
    const { deployment } = await api<{ deployment: DoDeployment }>('GET', `/deployments/${encodeURIComponent(deploymentId)}`, opts)
    return toDeployment(deployment)
  }

  return {
    kind: 'digitalocean',
    async current(opts) {
      const app = await getApp(opts)
      return app.active_deployment ? { ...toDeployment(app.active_deployment), live: true, url: app.live_url } : null
    },
    async deploy(release, opts) {
      const app = await getApp(opts)
      // A pinned app takes no new deployment until the earlier rollback is committed or reverted.
      if (app.pinned_deployment) {
        throw new Error(
          `app ${o.app} is pinned to deployment ${app.pinned_deployment.id} by an earlier rollback: commit it (POST /v2/apps/${o.app}/rollback/commit) or revert it before deploying`,
        )
      }
      if (app.in_progress_deployment) opts.log(`note: deployment ${app.in_progress_deployment.id} is already in progress (${app.in_progress_deployment.phase}); the new one supersedes it`)
      const { deployment } = await api<{ deployment: DoDeployment }>('POST', '/deployments', opts, { force_build: o.forceBuild })
      opts.log(`deployment ${deployment.id} created (${deployment.phase ?? 'PENDING'}) for release ${release}`)
      return { ...toDeployment(deployment), live: false, release }
    },
    async waitUntilLive(deploymentId, opts) {
      return pollUntil({
        check: async () => {
          const { deployment: d } = await api<{ deployment: DoDeployment }>('GET', `/deployments/${encodeURIComponent(deploymentId)}`, opts)
          const phase = d.phase ?? 'UNKNOWN'
          if (FAILED.has(phase)) {
            const steps = failedSteps(d)
            throw new Error(`DigitalOcean deployment ${deploymentId} ended as ${phase}${steps ? ` (failed: ${steps})` : ''}`)
          }
          if (phase === 'SUPERSEDED') throw new Error(`DigitalOcean deployment ${deploymentId} was superseded by a newer deployment before it went live`)
          const done = d.progress?.steps?.length ? `${d.progress.steps.filter((s) => s.status === 'SUCCESS').length}/${d.progress.steps.length} steps` : ''
          return { done: phase === 'ACTIVE', value: toDeployment(d), note: done ? `${phase} (${done})` : phase }
        },
        intervalMs: o.pollInterval,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onChange: (note) => opts.log(`deployment ${deploymentId}: ${note}`),
        timeoutMessage: (last) => `DigitalOcean deployment ${deploymentId} was not ACTIVE after ${formatDuration(opts.timeoutMs)} (last phase: ${last ?? 'none'})`,
      })
    },
    async rollback(deploymentId, opts: RollbackOptions) {
      const body = { deployment_id: deploymentId, skip_pin: o.skipPin }
      // Validate first: it names why a rollback cannot happen (incompatible_result, app_pinned…)
      // without starting anything.
      const check = await api<{ valid?: boolean; error?: { code?: string; message?: string }; warnings?: { code?: string; message?: string }[] }>(
        'POST',
        '/rollback/validate',
        opts,
        body,
      )
      for (const w of check.warnings ?? []) opts.log(`rollback warning: ${w.code ?? ''} ${w.message ?? ''}`.trim())
      if (check.valid === false) {
        throw new Error(`DigitalOcean will not roll back to deployment ${deploymentId}: ${check.error?.code ?? 'invalid'}: ${check.error?.message ?? ''}`.trim())
      }
      const { deployment } = await api<{ deployment: DoDeployment }>('POST', '/rollback', opts, body)
      opts.log(`rollback to ${deploymentId} runs as deployment ${deployment.id}`)
      if (!o.skipPin) {
        opts.log(`the app stays pinned to it until the rollback is committed (POST /v2/apps/${o.app}/rollback/commit) or reverted`)
      }
      return toDeployment(deployment)
    },
    status,
    async logs(opts): Promise<LogLine[]> {
      const deploymentId = opts.deploymentId ?? (await getApp(opts)).active_deployment?.id
      if (!deploymentId) return []
      let component = o.component
      if (!component) {
        const { deployment } = await api<{ deployment: DoDeployment }>('GET', `/deployments/${encodeURIComponent(deploymentId)}`, opts)
        component = deployment.services?.[0]?.name
      }
      if (!component) throw new Error('provider.component is not set and the deployment names no service to read logs from')
      const links = await api<{ live_url?: string; historic_urls?: string[] }>(
        'GET',
        `/deployments/${encodeURIComponent(deploymentId)}/components/${encodeURIComponent(component)}/logs?type=RUN&follow=false`,
        opts,
      )
      // The API answers with URLs, not lines. They are pre-signed: fetched without the token,
      // which must not travel to another host.
      const lines: LogLine[] = []
      for (const url of links.historic_urls ?? []) {
        const res = await withChildSignal(opts.signal, (signal) => httpRequest({ url, signal, resolve: ctx.resolve, timeoutMs: 30_000, maxBodyBytes: 5_000_000 }))
        if (res.status !== 200) throw new Error(`fetching the run logs failed: HTTP ${res.status}`)
        for (const line of res.body.split('\n')) if (line.trim()) lines.push(parseDoLogLine(line))
      }
      return lines.slice(-opts.lines)
    },
  }
}

/** Run log lines look like "<component> <ISO timestamp> <message>". */
export function parseDoLogLine(line: string): LogLine {
  const m = /^(\S+)\s+(\d{4}-\d\d-\d\dT\S+)\s(.*)$/.exec(line)
  return m ? { timestamp: m[2], message: m[3]! } : { message: line }
}

export default createDigitalOceanProvider
