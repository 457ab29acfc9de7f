import { formatDuration } from '../../config/duration.js'
import { runCommand } from '../process/run-command.js'

export interface CliCall {
  /** The program (railway, vercel, doctl) and its arguments: no shell, and never a token. */
  argv: string[]
  cwd: string
  /** Variables for the program (the token goes here). */
  env: Record<string, string | undefined>
  signal: AbortSignal
  timeoutMs: number
  log?: (line: string) => void
  /** What the program is called in messages ("railway up"). */
  label: string
  onSpawn?: (pid: number) => void | Promise<void>
}

export interface CliResult {
  exitCode: number | null
  stdout: string
  stderr: string
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly result?: CliResult,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/**
 * Runs a provider's CLI to its end, bounded in time. A missing program, a hang past `timeoutMs`
 * and a stop of the run each give an error that says which; the exit code is left to the caller.
 */
export async function runCli(call: CliCall): Promise<CliResult> {
  const timeout = AbortSignal.timeout(call.timeoutMs)
  const signal = AbortSignal.any([call.signal, timeout])
  call.log?.(`$ ${call.argv.map(quoteForLog).join(' ')}`)
  let result
  try {
    result = await runCommand({
      command: call.argv,
      cwd: call.cwd,
      env: call.env,
      signal,
      onSpawn: call.onSpawn,
      onLine: call.log ? (line) => line.trim() && call.log!(`  ${line}`) : undefined,
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`${call.argv[0]} was not found on PATH: install it, or set the provider's cli option to its path`)
    }
    throw error
  }
  if (result.aborted) {
    if (timeout.aborted && !call.signal.aborted) {
      throw new CliError(`${call.label} gave no answer within ${formatDuration(call.timeoutMs)} and was stopped`, result)
    }
    throw new CliError(`${call.label} was stopped`, result)
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

/** The last few non-empty lines of a failed program's output, for the error message. */
export function tailOf(result: CliResult, n = 3, skip?: RegExp): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split('\n').filter((l) => l.trim() && !skip?.test(l))
  return text.slice(-n).join(' | ').slice(0, 400)
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Every JSON value found one per line, or the whole text as one value. */
export function parseJsonLoose(text: string): unknown {
  const trimmed = text.trim()
  if (!trimmed) return undefined
  try {
    return JSON.parse(trimmed)
  } catch {
    // CLIs may print a banner line before the JSON: try from the first line that opens a value,
    // then each line alone, last first.
    const lines = trimmed.split('\n')
    const start = lines.findIndex((l) => /^\s*[[{]/.test(l))
    if (start > 0) {
      try {
        return JSON.parse(lines.slice(start).join('\n'))
      } catch {
        // fall through
      }
    }
    for (const line of lines.reverse()) {
      try {
        return JSON.parse(line)
      } catch {
        // not this one
      }
    }
    return undefined
  }
}
