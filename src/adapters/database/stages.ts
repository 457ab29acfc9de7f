import { spawn, type ChildProcess } from 'node:child_process'
import { createGunzip, createGzip } from 'node:zlib'
import type { Readable, Writable } from 'node:stream'
import { closeOptionFile } from './defaults-file.js'
import { DatabaseError, type DatabaseFailure } from './errors.js'
import type { Compressor } from './tools.js'

/**
 * One process (or in-process transform) of a pipeline: bytes go into `input`, come out of
 * `output`, and `done` settles with its exit status. Every stage's status is checked: a failing
 * dump must not hide behind a compressor that exits 0.
 */
export interface Stage {
  name: string
  input: Writable
  output: Readable
  done: Promise<void>
  /** Stops the stage at once (after another stage failed, or on abort). */
  kill(): void
}

export interface ChildStage extends Stage {
  child: ChildProcess
  /** The last part of what the process wrote to stderr. */
  stderr(): string
}

/**
 * Spawns a process as a stage. No shell; the environment is the parent's. `optionFd` (from
 * openOptionFile) becomes the child's fd 3 and is closed here once the child has its own copy.
 */
export function spawnStage(name: string, file: string, args: string[], failure: DatabaseFailure, stdin: 'pipe' | 'ignore' = 'pipe', optionFd?: number): ChildStage {
  let child: ChildProcess
  try {
    child = spawn(file, args, { stdio: [stdin, 'pipe', 'pipe', ...(optionFd === undefined ? [] : [optionFd])] })
  } finally {
    if (optionFd !== undefined) closeOptionFile(optionFd)
  }
  let err = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (text: string) => {
    err = (err + text).slice(-4000)
  })
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new DatabaseError(failure, `${name} could not start: ${error.message}`, undefined, { cause: error })))
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else {
        const detail = err.trim().split('\n').slice(-3).join(' | ')
        reject(new DatabaseError(failure, `${name} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}${detail ? `: ${detail}` : ''}`))
      }
    })
  })
  // A stage whose reader went away sees EPIPE on its input; the exit status says why.
  child.stdin?.on('error', () => {})
  return {
    name,
    child,
    input: child.stdin ?? (null as unknown as Writable),
    output: child.stdout!,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
    stderr: () => err,
  }
}

/** zstd as a child process (multi-threaded, fast), or gzip in-process when zstd is absent. */
export function compressStage(compressor: Compressor): Stage {
  if (compressor.kind === 'zstd') return spawnStage('zstd', compressor.path!, ['-3', '-T0', '-q', '-c'], 'DUMP_FAILED')
  // Level 1: gzip's higher levels cost several times the time for about 15 % smaller files.
  return transformStage('gzip', createGzip({ level: 1 }), 'DUMP_FAILED')
}

export function decompressStage(kind: 'zstd' | 'gzip', zstdPath: string | null): Stage {
  if (kind === 'zstd') {
    if (!zstdPath) {
      throw new DatabaseError('TOOL_MISSING', 'this backup is compressed with zstd, which is not installed', 'install Debian\'s "zstd" (apt-get install zstd) or Homebrew\'s "zstd"')
    }
    return spawnStage('zstd -d', zstdPath, ['-d', '-q', '-c'], 'INVALID_BACKUP')
  }
  return transformStage('gunzip', createGunzip(), 'INVALID_BACKUP')
}

function transformStage(name: string, stream: NodeJS.ReadWriteStream & Writable & Readable, failure: DatabaseFailure): Stage {
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', (error) => reject(new DatabaseError(failure, `${name}: ${error.message}`, undefined, { cause: error })))
  })
  done.catch(() => {})
  return { name, input: stream, output: stream, done, kill: () => stream.destroy() }
}
