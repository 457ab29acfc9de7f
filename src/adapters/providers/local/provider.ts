import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { cp } from 'node:fs/promises'
import path from 'node:path'
import { formatDuration } from '../../../config/duration.js'
import type { Deployment, DeployProvider, ProviderCallOptions, ProviderContext } from '../provider.js'
import { parseLogLines } from '../command.js'
import { pollUntil } from '../poll.js'
import { ask, type Activation, type SupervisorStatus } from './control.js'
import { ensureSupervisor, supervisorStatus } from './launch.js'
import { deploymentIdFor, isDeploymentId, outputFile, releaseDir, siteLayout, type SiteLayout } from './layout.js'
import { tailLines } from './log-tail.js'
import { parseLocalOptions, type LocalProviderOptions } from './options.js'
import { tlsFilesOf } from './tls-files.js'
import { currentTarget, readState, type SiteState } from './state.js'
import { stopLocalSite } from './site-control.js'

/**
 * A host of the team's own, as Capistrano or Deployer keep one: each release copied into
 * <root>/releases/<id>, `current` switched atomically, the app run and health-gated by a small
 * supervisor that owns the public port, so a new release takes over without downtime and an old
 * one comes back on rollback.
 */
export function createLocalProvider(config: Record<string, unknown>, ctx: ProviderContext): DeployProvider {
  const o = parseLocalOptions(config)
  const layout = siteLayout(path.resolve(ctx.cwd, o.root))
  const scheme = o.tls || o.health.https ? 'https' : 'http'
  const url = `${scheme}://${o.health.hostHeader ?? o.host}:${o.port}`

  /** What the site says now: the supervisor's view while it runs, else the state file (nothing live). */
  async function look(): Promise<{ state: SiteState; sup: SupervisorStatus | null }> {
    const sup = await supervisorStatus(layout)
    return { state: sup?.state ?? readState(layout), sup }
  }

  function describe(id: string, { state, sup }: { state: SiteState; sup: SupervisorStatus | null }): Deployment {
    const record = state.deployments.find((d) => d.id === id)
    const live = !!sup && state.current === id && sup.app?.deploymentId === id && sup.app.running
    let status: string = record?.status ?? (existsSync(releaseDir(layout, id)) ? 'retired' : 'missing')
    if (status === 'active' && !live) status = sup?.app?.deploymentId === id ? 'restarting' : 'stopped'
    return { id, status: live ? 'live' : status, live, release: record?.release, createdAt: record?.createdAt, url }
  }

  async function activate(id: string, release: string, createdAt: string, opts: ProviderCallOptions): Promise<SupervisorStatus> {
    await ensureSupervisor(layout, { host: o.host, port: o.port, env: ctx.env, log: opts.log })
    const answer = await ask(layout.socket, { op: 'activate', activation: activation(o, ctx.cwd, layout, id, release, createdAt) })
    if (!answer) throw new Error(`the site supervisor stopped answering on ${layout.socket} (its log: ${layout.supervisorLog})`)
    if (!answer.ok) throw new Error(`the site supervisor refused to start ${id}: ${answer.error}`)
    return answer.status
  }

  /** The app's last output lines, for a failure message (redacted: an app may print its settings). */
  async function lastOutput(id: string): Promise<string> {
    const lines = await tailLines(outputFile(layout, id), 8)
    return lines.length ? `; its last output: ${ctx.redactor.redact(lines.join(' | ')).slice(-1500)}` : '; it printed nothing'
  }

  return {
    kind: 'local',

    async current() {
      const seen = await look()
      // The link is what the state names; it speaks alone when the state file was lost.
      const id = seen.state.current ?? currentTarget(layout)
      return id ? describe(id, seen) : null
    },

    async deploy(release, opts) {
      const source = path.resolve(ctx.cwd, o.source.replaceAll('{release}', release))
      if (!existsSync(source) || !statSync(source).isDirectory()) {
        throw new Error(`the release folder ${source} does not exist (provider.source: ${o.source}, release ${release})`)
      }
      mkdirSync(layout.releases, { recursive: true, mode: 0o700 })
      const createdAt = new Date()
      const id = deploymentIdFor(release, createdAt, new Set(readdirSync(layout.releases)))
      // Copied beside its final place and renamed, so a release folder is never half there.
      const partial = path.join(layout.releases, `.partial-${id}`)
      opts.log(`copying ${source} to ${releaseDir(layout, id)}`)
      try {
        await cp(source, partial, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true })
        renameSync(partial, releaseDir(layout, id))
      } catch (error) {
        rmSync(partial, { recursive: true, force: true })
        throw new Error(`copying the release ${release} from ${source} failed: ${(error as Error).message}`)
      }
      await activate(id, release, createdAt.toISOString(), opts)
      opts.log(`deployment ${id}: starting ${JSON.stringify(o.start)} on an internal port, health ${o.health.path}`)
      return { id, status: 'starting', live: false, release, createdAt: createdAt.toISOString(), url }
    },

    async waitUntilLive(deploymentId, opts) {
      return pollUntil({
        check: async () => {
          const seen = await look()
          if (!seen.sup) throw new Error(`the site supervisor is not running, so ${deploymentId} cannot go live (its log: ${layout.supervisorLog})`)
          const record = seen.state.deployments.find((d) => d.id === deploymentId)
          if (!record) throw new Error(`deployment ${deploymentId} is not known to the site at ${layout.root}`)
          if (record.status === 'failed') {
            const serving = seen.state.current && seen.state.current !== deploymentId ? `; ${seen.state.current} keeps serving` : ''
            throw new Error(`deployment ${deploymentId} did not go live: ${record.reason ?? 'failed'}${serving}${await lastOutput(deploymentId)}`)
          }
          const d = describe(deploymentId, seen)
          return { done: d.live, value: d, note: d.status }
        },
        intervalMs: 200,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onChange: (note) => opts.log(`deployment ${deploymentId}: ${note}`),
        timeoutMessage: (last) => `deployment ${deploymentId} was not live after ${formatDuration(opts.timeoutMs)} (last status: ${last ?? 'none'})`,
      })
    },

    async rollback(deploymentId, opts) {
      if (!isDeploymentId(deploymentId) || !existsSync(releaseDir(layout, deploymentId))) {
        throw new Error(`release ${deploymentId} is not kept under ${layout.releases} any more: nothing to roll back to`)
      }
      const seen = await look()
      const record = seen.state.deployments.find((d) => d.id === deploymentId)
      opts.log(`switching back to ${deploymentId}`)
      const sup = await activate(deploymentId, record?.release ?? deploymentId, record?.createdAt ?? new Date().toISOString(), opts)
      return describe(deploymentId, { state: sup.state, sup })
    },

    async status(deploymentId) {
      return describe(deploymentId, await look())
    },

    /** The supervisor and its app stop, the port is freed; releases and the state stay for a later deploy. */
    async takeDown(deploymentId, opts) {
      opts.log(`stopping the site serving ${deploymentId}`)
      await stopLocalSite(layout.root)
    },

    /**
     * The app's log file (LOG_FILE, where the supervisor notes crashes too) and what the deployment
     * printed on stdout and stderr (most apps log there): the deployment asked for, else the current
     * one. The file written to last comes last, so the newest lines end the list.
     */
    async logs(opts) {
      const id = opts.deploymentId ?? (await look()).state.current ?? currentTarget(layout)
      const files = [layout.appLog, ...(id && isDeploymentId(id) ? [outputFile(layout, id)] : [])]
      const read = await Promise.all(files.map(async (file) => ({ lines: await tailLines(file, opts.lines), mtime: modifiedAt(file) })))
      const lines = read.sort((a, b) => a.mtime - b.mtime).flatMap((r) => r.lines).slice(-opts.lines)
      return parseLogLines(ctx.redactor.redact(lines.join('\n')))
    },
  }
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

function activation(o: LocalProviderOptions, cwd: string, layout: SiteLayout, id: string, release: string, createdAt: string): Activation {
  return {
    deploymentId: id,
    release,
    createdAt,
    dir: releaseDir(layout, id),
    start: o.start,
    env: o.env,
    host: o.host,
    port: o.port,
    tls: tlsFilesOf(o.tls, cwd),
    health: { path: o.health.path, https: o.health.https, hostHeader: o.health.hostHeader, caFile: o.health.ca ? path.resolve(cwd, o.health.ca) : undefined },
    startTimeoutMs: o.startTimeout,
    stopTimeoutMs: o.stopTimeout,
    keep: o.keep,
  }
}
