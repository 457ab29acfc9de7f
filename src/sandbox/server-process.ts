import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { runCommand } from '../adapters/process/run-command.js'
import { findExecutable } from '../adapters/database/tools.js'

/** The JSON state file of a private server (pid, port, folders), or null when there is none. */
export async function readServerState<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return null
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM lets the server shut down cleanly (it flushes its data); SIGKILL after 20 s. */
export async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 100))
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
}

export async function canInstallWithApt(): Promise<boolean> {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && (await findExecutable('apt-get')) !== null
}

/** Installs a Debian package, updating the package lists once when the first try fails. */
export async function aptInstall(pkg: string, log: (line: string) => void): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  let result = await runCommand({ command: ['apt-get', 'install', '-y', '-q', pkg], env })
  if (result.exitCode !== 0) {
    log('apt-get install failed; updating the package lists and trying again')
    await runCommand({ command: ['apt-get', 'update', '-q'], env })
    result = await runCommand({ command: ['apt-get', 'install', '-y', '-q', pkg], env })
  }
  if (result.exitCode !== 0) throw new Error(`apt-get install ${pkg} failed: ${lastLines(result.stderr || result.stdout)}`)
}

export function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ')
}

/** Stops the private server whose state file (server.json) is in `stateDir`, when one runs there. */
export async function stopPrivateServer(stateDir: string): Promise<boolean> {
  const stateFile = path.join(path.resolve(stateDir), 'server.json')
  const state = await readServerState<{ pid: number }>(stateFile)
  if (!state) return false
  await stopPid(state.pid)
  await rm(stateFile, { force: true })
  return true
}
