import type { SecureContext } from 'node:tls'
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { AppProcess } from './app-process.js'
import type { Activation, ControlAnswer, ControlRequest, SupervisorStatus } from './control.js'
import { freePort } from '../../net/free-port.js'
import { waitHealthy } from './health.js'
import { isDeploymentId, outputFile, releaseDir, releasesToPrune, type SiteLayout } from './layout.js'
import { killLeftovers } from './leftovers.js'
import { TcpProxy } from './proxy.js'
import { readTlsFiles, secureContextOf } from './tls-files.js'
import { pointCurrentAt, readState, writeState, type DeploymentRecord, type SiteState } from './state.js'

/**
 * The supervisor's work for one site: the public port (a TCP proxy), the app serving behind it,
 * and activations, one at a time: start the new app on a free internal port, wait for its health,
 * switch the proxy and the `current` link, then drain and stop the old app.
 */
export class Site {
  private readonly proxy = new TcpProxy()
  private app: AppProcess | null = null
  /** The app being health-checked, stopped too when the site stops. */
  private starting: AppProcess | null = null
  private readonly retiring = new Set<Promise<void>>()
  private queue: Promise<void> = Promise.resolve()
  private activating: string | null = null
  private stopping = false
  private stopped: Promise<void> | null = null
  private state: SiteState

  constructor(
    private readonly layout: SiteLayout,
    private readonly log: (line: string) => void,
  ) {
    this.state = readState(layout)
  }

  /** Takes the public port; apps left running by a supervisor that died are stopped first. */
  async start(host: string, port: number): Promise<void> {
    const left = await killLeftovers(this.layout, this.state)
    for (const line of left) this.log(line)
    await this.proxy.listen(host, port)
    this.state.supervisor = { pid: process.pid, host, port, startedAt: new Date().toISOString() }
    this.state.app = null
    this.save()
    this.log(`serving ${host}:${port} for ${this.layout.root}`)
  }

  async handle(request: ControlRequest): Promise<ControlAnswer> {
    switch (request.op) {
      case 'status':
        return { ok: true, status: this.status() }
      case 'activate': {
        const a = request.activation
        if (this.stopping) return { ok: false, error: 'the site is stopping' }
        if (!isDeploymentId(a.deploymentId)) return { ok: false, error: `not a deployment id: ${a.deploymentId}` }
        this.upsert({ id: a.deploymentId, release: a.release, createdAt: a.createdAt, status: this.isServing(a.deploymentId) ? 'active' : 'starting' })
        this.save()
        this.queue = this.queue.then(() => this.activate(a)).catch((error: Error) => this.log(`activation of ${a.deploymentId} failed: ${error.stack ?? error.message}`))
        return { ok: true, status: this.status() }
      }
      case 'stop':
        await this.stop()
        return { ok: true, status: this.status() }
    }
  }

  status(): SupervisorStatus {
    const app = this.app
    return {
      pid: process.pid,
      listening: this.proxy.address,
      activating: this.activating,
      app: app ? { deploymentId: app.spec.deploymentId, pid: app.pid, port: app.spec.port, running: app.running, restarts: app.restarts } : null,
      state: this.state,
    }
  }

  /** Stops every app and closes the public port (once, however often it is asked). */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll()
    return this.stopped
  }

  private async stopAll(): Promise<void> {
    this.stopping = true
    this.log('stopping the site')
    const stopTimeout = 10_000
    await Promise.all([this.app?.stop(stopTimeout), this.starting?.stop(stopTimeout), ...this.retiring])
    await this.queue
    await this.proxy.close()
    this.app = null
    this.state.app = null
    this.state.supervisor = null
    this.save()
  }

  private isServing(id: string): boolean {
    return this.app?.spec.deploymentId === id && this.app.running
  }

  private async activate(a: Activation): Promise<void> {
    if (this.stopping) return
    if (this.isServing(a.deploymentId)) {
      this.log(`${a.deploymentId} is already serving`)
      return
    }
    if (!existsSync(a.dir)) return this.fail(a, `its release folder ${a.dir} is gone`)
    // Read at every activation, so a renewed certificate serves from this deploy on; a file that
    // cannot be read fails the deploy and leaves the site serving as it does.
    let secure: SecureContext | null
    try {
      secure = a.tls ? secureContextOf(readTlsFiles(a.tls)) : null
    } catch (error) {
      return this.fail(a, (error as Error).message)
    }
    const address = this.proxy.address
    if (!address || address.host !== a.host || address.port !== a.port) {
      try {
        await this.proxy.listen(a.host, a.port)
        this.state.supervisor = { pid: process.pid, host: a.host, port: a.port, startedAt: this.state.supervisor?.startedAt ?? new Date().toISOString() }
        this.log(`now serving ${a.host}:${a.port}`)
      } catch (error) {
        return this.fail(a, `cannot listen on ${a.host}:${a.port}: ${(error as Error).message}`)
      }
    }

    this.activating = a.deploymentId
    try {
      const port = await freePort()
      const app = new AppProcess(
        {
          deploymentId: a.deploymentId,
          dir: a.dir,
          command: a.start,
          port,
          outFile: outputFile(this.layout, a.deploymentId),
          env: {
            ...process.env,
            // The proxy reaches the app on loopback: a HOST left in the caller's shell must not move it.
            HOST: a.env.HOST ?? '127.0.0.1',
            ...a.env,
            PORT: String(port),
            LOG_FILE: this.layout.appLog,
            ROLLOUT_RELEASE: a.release,
            ROLLOUT_DEPLOYMENT_ID: a.deploymentId,
          },
        },
        {
          log: this.log,
          onCrash: ({ code, signal, restartInMs, restarts }) => this.crashed(app, code, signal, restartInMs, restarts),
          onRestart: (pid) => {
            this.log(`app of ${a.deploymentId} started again (pid ${pid})`)
            if (this.app === app && this.state.app) this.state.app = { ...this.state.app, pid, restarts: app.restarts }
            this.save()
          },
        },
      )
      this.starting = app
      const pid = app.start()
      this.log(`started ${a.deploymentId} (pid ${pid}, port ${port}): waiting for ${a.health.path}`)
      const health = await waitHealthy({ port, health: a.health, timeoutMs: a.startTimeoutMs, exited: () => app.exit })
      if (!health.ok || this.stopping) {
        await app.stop(a.stopTimeoutMs)
        return this.fail(a, health.ok ? 'the site was stopped while it started' : health.reason)
      }
      this.switchTo(app, a, secure)
    } finally {
      this.activating = null
      this.starting = null
    }
    this.prune(a.keep)
  }

  /** The new app takes the traffic; the old one is drained and stopped in the background. */
  private switchTo(app: AppProcess, a: Activation, secure: SecureContext | null): void {
    const old = this.app
    // TLS at the front changes with the app behind it: the old app spoke what the old front passed on.
    this.proxy.useTls(secure)
    const { previous: oldUpstream } = this.proxy.switchTo(app.spec.port)
    app.keepAlive = true
    this.app = app
    pointCurrentAt(this.layout, a.deploymentId)
    const now = new Date().toISOString()
    if (this.state.current && this.state.current !== a.deploymentId) {
      this.state.previous = this.state.current
      this.upsert({ ...this.record(this.state.current), status: 'retired' })
    }
    this.state.current = a.deploymentId
    this.upsert({ id: a.deploymentId, release: a.release, createdAt: a.createdAt, status: 'active', activatedAt: now })
    this.state.app = { deploymentId: a.deploymentId, pid: app.pid ?? 0, port: app.spec.port, startedAt: now, restarts: 0 }
    this.save()
    this.log(`${a.deploymentId} is live${old ? ` (replacing ${old.spec.deploymentId})` : ''}`)
    if (!old) return
    const retire = (async () => {
      // Connections already open finish on the old app before it is told to stop.
      const drained = oldUpstream ? await oldUpstream.drained(a.stopTimeoutMs) : true
      if (!drained) this.log(`${oldUpstream!.connections} connection(s) still open to ${old.spec.deploymentId} after ${a.stopTimeoutMs} ms: stopping it anyway`)
      await old.stop(a.stopTimeoutMs)
      this.log(`stopped ${old.spec.deploymentId}`)
    })()
    this.retiring.add(retire)
    void retire.finally(() => this.retiring.delete(retire))
  }

  private crashed(app: AppProcess, code: number | null, signal: NodeJS.Signals | null, restartInMs: number, restarts: number): void {
    const how = signal ? `signal ${signal}` : `code ${code}`
    const message = `app of ${app.spec.deploymentId} exited (${how}); restart ${restarts} in ${restartInMs / 1000} s`
    this.log(message)
    // Into the app's log as well, where the log checks and `rollout` look for errors.
    try {
      appendFileSync(this.layout.appLog, JSON.stringify({ timestamp: new Date().toISOString(), level: 'error', message, source: 'supervisor' }) + '\n', { mode: 0o600 })
    } catch {
      // the log folder is gone: the supervisor's own log has the line
    }
    if (this.app === app && this.state.app) {
      this.state.app = { ...this.state.app, restarts }
      this.save()
    }
  }

  private fail(a: Activation, reason: string): void {
    this.log(`${a.deploymentId} failed: ${reason}${this.app ? `; ${this.app.spec.deploymentId} keeps serving` : ''}`)
    this.upsert({ id: a.deploymentId, release: a.release, createdAt: a.createdAt, status: 'failed', reason })
    this.save()
  }

  /** Removes all but the newest `keep` releases; never the current one, the previous one, or one starting. */
  private prune(keep: number): void {
    const known = new Map(this.state.deployments.map((d) => [d.id, d]))
    const ids = existsSync(this.layout.releases) ? readdirSync(this.layout.releases).filter(isDeploymentId) : []
    const age = (id: string) => known.get(id)?.createdAt ?? id
    const oldestFirst = ids.sort((x, y) => (age(x) < age(y) ? -1 : age(x) > age(y) ? 1 : x < y ? -1 : 1))
    const remove = releasesToPrune(oldestFirst, keep, [this.state.current, this.state.previous, this.activating])
    for (const id of remove) {
      rmSync(releaseDir(this.layout, id), { recursive: true, force: true })
      rmSync(outputFile(this.layout, id), { force: true })
      this.log(`removed release ${id} (keeping ${keep})`)
    }
    if (!remove.length) return
    this.state.deployments = this.state.deployments.filter((d) => !remove.includes(d.id))
    this.save()
  }

  private record(id: string): DeploymentRecord {
    return this.state.deployments.find((d) => d.id === id) ?? { id, release: id, createdAt: new Date(0).toISOString(), status: 'retired' }
  }

  private upsert(record: DeploymentRecord): void {
    const i = this.state.deployments.findIndex((d) => d.id === record.id)
    if (i < 0) this.state.deployments.push(record)
    else this.state.deployments[i] = { ...record, ...(record.status === 'failed' ? {} : { reason: undefined }) }
  }

  private save(): void {
    mkdirSync(this.layout.root, { recursive: true })
    writeState(this.layout, this.state)
  }
}
