import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { groupAlive, stopGroup } from './processes.js'

export interface AppSpec {
  deploymentId: string
  dir: string
  /** Shell command line, run in `dir`. */
  command: string
  env: Record<string, string | undefined>
  port: number
  /** Where the app's stdout and stderr are appended. */
  outFile: string
}

export interface AppEvents {
  log: (line: string) => void
  /** The app stopped by itself while kept alive; `restartInMs` says when it starts again. */
  onCrash?: (info: { code: number | null; signal: NodeJS.Signals | null; restartInMs: number; restarts: number }) => void
  onRestart?: (pid: number) => void
}

/** A crashed app waits 1 s, 2 s, 4 s… (at most 30 s) before each new start; a minute up resets the wait. */
export function restartDelay(crashesInARow: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, crashesInARow - 1))
}
const STABLE_AFTER_MS = 60_000

/**
 * One app: a shell running the start command in its own process group, so stopping it stops
 * whatever the shell started too. Kept alive once it serves: a crash is followed by a new start.
 */
export class AppProcess {
  private child: ChildProcess | null = null
  private startedAt = 0
  private stopping = false
  private restartTimer: NodeJS.Timeout | null = null
  private crashesInARow = 0
  restarts = 0
  /** Set once the app serves: from then on a crash restarts it. */
  keepAlive = false
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null

  constructor(
    readonly spec: AppSpec,
    private readonly events: AppEvents,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null
  }

  get running(): boolean {
    return this.child !== null && this.exit === null
  }

  start(): number {
    const out = openSync(this.spec.outFile, 'a', 0o600)
    try {
      this.exit = null
      this.startedAt = Date.now()
      const child = spawn('/bin/sh', ['-c', this.spec.command], {
        cwd: this.spec.dir,
        env: this.spec.env,
        stdio: ['ignore', out, out],
        detached: true,
      })
      this.child = child
      child.on('error', (error) => this.events.log(`app of ${this.spec.deploymentId} could not start: ${error.message}`))
      child.on('exit', (code, signal) => this.exited(child, code, signal))
      return child.pid ?? 0
    } finally {
      closeSync(out)
    }
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; no restart afterwards. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true
    if (this.restartTimer) clearTimeout(this.restartTimer)
    this.restartTimer = null
    const pid = this.child?.pid
    if (!pid) return
    // The shell may be gone already while what it started still runs: the group is what counts.
    if (!groupAlive(pid)) return
    const how = await stopGroup(pid, graceMs)
    if (how === 'killed') this.events.log(`app of ${this.spec.deploymentId} did not stop within ${graceMs} ms of SIGTERM: killed`)
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return
    this.exit = { code, signal }
    if (this.stopping || !this.keepAlive) return
    this.crashesInARow = Date.now() - this.startedAt >= STABLE_AFTER_MS ? 1 : this.crashesInARow + 1
    const restartInMs = restartDelay(this.crashesInARow)
    this.restarts++
    this.events.onCrash?.({ code, signal, restartInMs, restarts: this.restarts })
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null
      if (this.stopping) return
      // Whatever the crashed shell left in its group goes first, so the port is free again.
      if (child.pid && groupAlive(child.pid)) void stopGroup(child.pid, 1000).then(() => this.restart())
      else this.restart()
    }, restartInMs)
  }

  private restart(): void {
    if (this.stopping) return
    const pid = this.start()
    this.events.onRestart?.(pid)
  }
}
