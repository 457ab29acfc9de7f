import { spawn } from 'node:child_process'
import type { Writable } from 'node:stream'
import { gatedCommand, missingProgram } from './spawn-gate.js'

export interface CommandOptions {
  /** A shell command line (run by /bin/sh -c) or an argv array (no shell). */
  command: string | string[]
  cwd?: string
  /** Added to the parent's environment. Secrets go here, never into the command line. */
  env?: Record<string, string | undefined>
  /** The variables the child starts from, before `env`; default this process's. */
  baseEnv?: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** Bytes kept of each stream; the rest is dropped from the middle and said so. */
  maxOutputBytes?: number
  /** Called with each complete output line as it arrives (stdout and stderr interleaved). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
  input?: string
  /**
   * Told the child's pid as soon as it exists. The child leads a process group of its own, which
   * outlives a `kill -9` of this process: callers that change things record it to find it again.
   * The command itself starts only once the returned promise resolves, so a child never runs
   * unrecorded; when it rejects (or this process dies first) the command never starts.
   */
  onSpawn?: (pid: number) => void | Promise<void>
}

export interface CommandResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
  /** true when the run was stopped through `signal`. */
  aborted: boolean
}

/**
 * Runs a child process to its end and keeps its output. Never throws for a non-zero exit: the
 * caller decides what the exit code means. On abort the whole process group gets SIGTERM, then
 * SIGKILL after two seconds, so a shell's children stop too.
 */
export function runCommand(opts: CommandOptions): Promise<CommandResult> {
  const started = performance.now()
  const argv = Array.isArray(opts.command) ? opts.command : ['/bin/sh', '-c', opts.command]
  const env = { ...(opts.baseEnv ?? process.env), ...opts.env }
  const [file, ...args] = opts.onSpawn ? gatedCommand(argv) : argv
  const limit = opts.maxOutputBytes ?? 1_000_000

  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({ exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, aborted: true })
      return
    }
    // Behind the gate the program is started by a shell: a missing one is told as spawn tells it.
    const missing = opts.onSpawn && missingProgram(argv[0]!, env.PATH)
    if (missing) {
      reject(missing)
      return
    }
    const child = spawn(file!, args, {
      cwd: opts.cwd,
      env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(opts.onSpawn ? (['pipe'] as const) : [])],
      detached: true,
    })
    let recordFailed: unknown
    if (opts.onSpawn && child.pid !== undefined) {
      const gate = child.stdio[3] as Writable
      gate.on('error', () => {}) // the child is gone already; its exit is reported below
      const pid = child.pid
      Promise.resolve()
        .then(() => opts.onSpawn!(pid))
        .then(
          () => gate.end('go\n'),
          (error: unknown) => {
            recordFailed = error
            gate.destroy()
          },
        )
    }
    const out = { stdout: new Tail(limit), stderr: new Tail(limit) }
    const partial = { stdout: '', stderr: '' }
    let aborted = false
    let killTimer: NodeJS.Timeout | undefined

    const onAbort = () => {
      aborted = true
      killGroup(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000)
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })

    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream]!
      readable.setEncoding('utf8')
      readable.on('data', (chunk: string) => {
        out[stream].push(chunk)
        if (!opts.onLine) return
        const text = partial[stream] + chunk
        const lines = text.split('\n')
        partial[stream] = lines.pop() ?? ''
        for (const line of lines) opts.onLine(line, stream)
      })
    }
    if (opts.input !== undefined) child.stdin?.end(opts.input)

    child.on('error', (error) => {
      opts.signal?.removeEventListener('abort', onAbort)
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(killTimer)
      opts.signal?.removeEventListener('abort', onAbort)
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream] && opts.onLine) opts.onLine(partial[stream], stream)
      }
      if (recordFailed !== undefined) {
        reject(recordFailed)
        return
      }
      resolve({
        exitCode,
        signal,
        stdout: out.stdout.text(),
        stderr: out.stderr.text(),
        durationMs: performance.now() - started,
        aborted,
      })
    })
  })
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/** Keeps the head and the tail of a long output, which is where the useful lines are. */
class Tail {
  private head = ''
  private tail = ''
  private dropped = 0
  constructor(private readonly limit: number) {}

  push(chunk: string): void {
    const half = Math.floor(this.limit / 2)
    if (this.head.length < half) {
      const take = chunk.slice(0, half - this.head.length)
      this.head += take
      chunk = chunk.slice(take.length)
    }
    this.tail += chunk
    if (this.tail.length > half) {
      this.dropped += this.tail.length - half
      this.tail = this.tail.slice(-half)
    }
  }

  text(): string {
    return this.dropped ? `${this.head}\n[… ${this.dropped} characters left out …]\n${this.tail}` : this.head + this.tail
  }
}
