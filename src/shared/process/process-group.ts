import { readdirSync, readFileSync } from 'node:fs'
import { hostName } from '../host.js'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A child process group as the run record keeps it. Steps start their commands in a group of their
 * own (pgid = the leader's pid), so a `kill -9` of rollout leaves the group running; the record lets
 * the next process find it again. `startTicks` (from /proc) tells the same leader from a later
 * process that was given the same pid.
 */
export interface ProcessGroupRecord {
  pgid: number
  host: string
  startTicks: number | null
  startedAt: string
}

interface ProcStat {
  state: string
  pgrp: number
  startTicks: number
}

/** Fields of /proc/<pid>/stat; null when there is no such process (or no /proc). */
function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0]!, pgrp: Number(fields[2]), startTicks: Number(fields[19]) }
  } catch {
    return null
  }
}

export function describeProcessGroup(pid: number): ProcessGroupRecord {
  return { pgid: pid, host: hostName(), startTicks: procStat(pid)?.startTicks ?? null, startedAt: new Date().toISOString() }
}

/**
 * The live (not zombie) members of the recorded group. Linux never hands out a pid that is still
 * some group's id, so while any member lives the pgid is still that group; once the leader is gone
 * and a process holds its pid again, the start time tells them apart.
 */
export function liveMembers(group: ProcessGroupRecord): number[] {
  if (group.host !== hostName()) return []
  let pids: number[]
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)
  } catch {
    return signalReaches(group.pgid) ? [group.pgid] : []
  }
  const leader = procStat(group.pgid)
  if (leader && group.startTicks !== null && leader.startTicks !== group.startTicks && leader.pgrp === group.pgid) return []
  return pids.filter((pid) => {
    const stat = procStat(pid)
    return stat !== null && stat.pgrp === group.pgid && stat.state !== 'Z'
  })
}

function signalReaches(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** Waits until no member of the group lives; false when `until` (epoch ms) came first. */
export async function waitForGroup(group: ProcessGroupRecord, until: number, signal?: AbortSignal): Promise<boolean> {
  while (liveMembers(group).length) {
    if (Date.now() >= until || signal?.aborted) return false
    await sleep(100)
  }
  return true
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once every member is gone. */
export async function stopGroup(group: ProcessGroupRecord, graceMs = 3000): Promise<void> {
  if (!liveMembers(group).length) return
  signalGroup(group.pgid, 'SIGTERM')
  if (await waitForGroup(group, Date.now() + graceMs)) return
  signalGroup(group.pgid, 'SIGKILL')
  await waitForGroup(group, Date.now() + 5000)
}
