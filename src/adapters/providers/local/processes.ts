import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Process checks for the site's own processes. Linux's /proc is read where it exists, because a
 * killed process may linger as a zombie when nothing reaps it (a container's init), and a zombie
 * is stopped for every purpose here.
 */

function statOf(pid: number): { state: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0]!, pgrp: Number(fields[2]) }
  } catch {
    return null
  }
}

const hasProc = (() => {
  try {
    readdirSync('/proc/self')
    return true
  } catch {
    return false
  }
})()

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (hasProc) {
    const stat = statOf(pid)
    return stat !== null && stat.state !== 'Z'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The live processes of process group `pgid` (Linux; elsewhere the leader when it runs). */
export function groupMembers(pgid: number): number[] {
  if (!hasProc) return isAlive(pgid) ? [pgid] : []
  const members: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = statOf(Number(name))
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') members.push(Number(name))
  }
  return members
}

/** Whether any live process remains in process group `pgid` (a shell's children included). */
export function groupAlive(pgid: number): boolean {
  if (hasProc) return groupMembers(pgid).length > 0
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL once `graceMs` has passed, then waits until no
 * member is left. Returns how it ended.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<'exited' | 'killed'> {
  signalGroup(pgid, 'SIGTERM')
  if (await waitFor(() => !groupAlive(pgid), graceMs)) return 'exited'
  signalGroup(pgid, 'SIGKILL')
  await waitFor(() => !groupAlive(pgid), 5000)
  return 'killed'
}

export async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (done()) return true
    if (Date.now() >= until) return false
    await sleep(stepMs)
  }
}

/** The working folder of a process (Linux), or null when it cannot be read. */
export function cwdOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`)
  } catch {
    return null
  }
}

/** A process's argument list (Linux), or null when it cannot be read. */
export function argvOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
  } catch {
    return null
  }
}
